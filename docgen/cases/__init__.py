"""Stage one of the pipeline: reading case files (一生一案) and validating them."""

from docgen.cases.loader import CaseFile, read_case_file
from docgen.cases.validate import ValidationReport, validate_data, validate_files

__all__ = ["CaseFile", "ValidationReport", "read_case_file", "validate_data", "validate_files"]

"""Stage one of the pipeline: reading case files (一生一案), checking them, handing on checked cases."""

from docgen.cases.load import LoadedCases, Rejected, load_cases, load_data
from docgen.cases.model import Case, lookup, thaw

__all__ = ["Case", "LoadedCases", "Rejected", "load_cases", "load_data", "lookup", "thaw"]

"""Stage: assembling the inspection archive (folders, covers, indexes, binders) and keeping it fixed (BagIt)."""

from docgen.archive.assemble import AssembleResult, assemble_archive
from docgen.archive.bag import Verification, verify_bag

__all__ = ["AssembleResult", "Verification", "assemble_archive", "verify_bag"]

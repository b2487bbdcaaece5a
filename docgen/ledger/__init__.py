"""Excel ledgers (台账): importing them into case data and exporting cases back, through a header mapping."""

from docgen.ledger.mapping import LedgerMapping, load_mapping
from docgen.ledger.reader import ImportResult, import_ledger
from docgen.ledger.writer import ExportResult, export_ledger

__all__ = ["ExportResult", "ImportResult", "LedgerMapping", "export_ledger", "import_ledger", "load_mapping"]

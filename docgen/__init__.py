"""docgen: documents and inspection archives for compulsory-education dropout control (控辍保学).

The pipeline, one stage per subpackage: ``cases`` (load and validate case files) → ``ledger``
(Excel ledgers in and out). The public surface is the ``docgen`` command and the functions
re-exported by each stage's ``__init__``.
"""

__version__ = "0.1.0"

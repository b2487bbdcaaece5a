"""Word documents to PDF: LibreOffice's persistent converters (one per core), a content-hash cache of what they
made, and the joins and cuts of PDFs around them. Below every stage that prints (render, roster, archive)."""

"""Reading, checking and writing 3W (who does what where) files.

reading.py finds the sheet, the hashtag row and the columns; tags.py says what each tag means;
rows.py turns a row into values; engine.py reconciles them (../reconcile.py), works out what
would change and writes it. services.py is the entry point for pages, the CLI and tasks.
"""

"""Loading table resources (CSV, XLSX) into the DataStore in the background: read, type, replace in one
transaction, then the preview view (docs/datastore.md)."""

"""Demo content and the local sysadmin for a development portal (`ckan paser demo`, `ckan paser sysadmin`)."""

"""Publishers: the dinas (OPD) and kecamatan organisation types, their pages and `ckan paser seed`."""

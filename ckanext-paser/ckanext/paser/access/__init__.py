"""Read access, decided in one place: which datasets a user may read (``datasets``, CKAN's permission labels as
SQL) and the walidata's reading of every dataset (``walidata``). The search index's labels, the exports, the
DataStore, tags, members and flags all ask here."""

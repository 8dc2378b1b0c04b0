"""ckanext-paser: the Kabupaten Paser Satu Data portal bundle."""

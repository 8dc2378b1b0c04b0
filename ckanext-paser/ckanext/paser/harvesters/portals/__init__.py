"""Harvesting other portals with the stock harvesters: ``mapping`` (a remote record made a Paser dataset),
``plugin`` (``paser_harvest``: the IDCATRDFHarvester hooks of ckanext-dcat's ``dcat_rdf`` harvester) and ``ckan``
(``paser_ckan_harvester``: ckanext-harvest's CKAN harvester through its override points)."""

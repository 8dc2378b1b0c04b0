# ckanext is shared by CKAN and every extension: extend the namespace rather than own it.
__path__ = __import__("pkgutil").extend_path(__path__, __name__)

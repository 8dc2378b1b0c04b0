"""WSGI entry point of the Paser portal image (gunicorn serves ``wsgi:application``).

The same steps as CKAN's own wsgi.py (not shipped in the wheel): read the ini file named by ``CKAN_INI``
(default /srv/app/production.ini) with its ``use = config:...`` chain, configure logging from it, and build
the app with ``make_app``. ``ckan.cli.load_config`` does the first two.
"""
import os

from ckan.cli import load_config
from ckan.config.middleware import make_app

CONFIG_PATH = os.environ.get("CKAN_INI", "/srv/app/production.ini")

application = make_app(load_config(CONFIG_PATH))

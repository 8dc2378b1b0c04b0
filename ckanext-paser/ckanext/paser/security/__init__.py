"""Request safety the portal adds to CKAN and its extensions: harvest actions only by POST (harvest_routes) and the
cookie flags that follow the site's scheme (cookies). CSRF itself is CKAN's (Flask-WTF), switched on for every
plugin's blueprint in config/common.ini (ckan.csrf_protection.ignore_extensions = false)."""

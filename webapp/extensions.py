"""Flask extensions, created unbound and bound in the app factory."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect

from webapp.security import client_key

babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_key, default_limits=[], headers_enabled=False)

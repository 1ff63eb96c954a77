"""Every model module, imported so `Base.metadata` knows all tables (Alembic, tests)."""

from webapp import visits  # noqa: F401
from webapp.accounts import models as accounts_models  # noqa: F401
from webapp.callbacks import models as callbacks_models  # noqa: F401
from webapp.directory import models as directory_models  # noqa: F401
from webapp.directory import search as directory_search  # noqa: F401
from webapp.directory.changes import models as changes_models  # noqa: F401
from webapp.messaging import models as messaging_models  # noqa: F401
from webapp.notebook import models as notebook_models  # noqa: F401
from webapp.reports import models as reports_models  # noqa: F401

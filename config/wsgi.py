import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, URL conf, templates compiled on import) lives as
# long as the process: keep it out of the collector's generations, so that the collections a
# large page triggers scan the request's objects only. Measured on a cold 1,000-measure plan
# page: about 15 % less time (docs/benchmarks.md).
gc.freeze()

"""The app as production serves it, plus uploads from MEDIA_ROOT (nginx's job in production,
see deploy/nginx): what bench/lighthouse.py measures."""

from django.conf import settings
from whitenoise import WhiteNoise

from karriere.wsgi import application as django_application

application = WhiteNoise(django_application)
application.add_files(str(settings.MEDIA_ROOT), prefix=settings.MEDIA_URL)

"""kt-workshop: run world-café knowledge-transfer workshops and turn what was said into a report.

The app factory is `kt_workshop.app.create_app`; each area of the day is a package below.
"""

__version__ = "0.1.0"

"""Figures for the operational review over an explicit window: response times,
incidents per service, severity and month, customer impact, follow-through of
postmortems and action items, on-call load, and open incidents apart.

``definitions`` says once what each figure means; ``compute.report`` builds the
``model.MetricsReport``; ``formats`` prints it; ``charts`` draws it for the site.
"""

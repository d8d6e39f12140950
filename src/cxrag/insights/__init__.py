"""Insights: what customers contact about, how the assistant copes, and who may leave.

``service.insights(store, tenant, since=..., until=..., bucket="week")`` returns an
``InsightsReport`` (JSON-ready, ``models``): volume by category, channel and language over
time; containment, escalation rate and reasons; feedback and ticket CSAT (``metrics``);
knowledge gaps and emerging topics, clusters of the questions a person had to take (``gaps``);
a churn-risk list with reasons (``churn``). ``report.write_report`` renders it as one
self-contained HTML page with charts; ``commands`` is the ``cxrag insights`` command.

Message analysis (categories, frustration) is pluggable (``analyzer.MessageAnalyzer``).
"""

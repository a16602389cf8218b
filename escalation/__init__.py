"""Paging along the PR escalation plan: incidents, silences, an outbox and the receivers.

Modelled on Alertmanager's pipeline (dispatch -> silence -> notify) and on PagerDuty's
escalation policies (levels paged after a timeout until someone acknowledges).
"""

"""On call: the rotation engine and what is built on it (reports, calendars, handoffs).

``engine`` answers who is on call for any instant or window; ``rotation`` is one
layer on its own; ``report``, ``ics`` and ``handoff`` turn shifts into numbers,
calendar feeds and messages. Everything here is a pure function of the model and
explicit instants.
"""

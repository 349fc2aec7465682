"""The planner's workbench in the browser (``corridor-sim serve``; the ``web`` extra).

A small ASGI application (Starlette, Jinja2 pages rendered on the server, plain JavaScript shipped
in ``static/``): :mod:`sim.web.app` (the app, library and builder pages), :mod:`sim.web.job_pages`
(runs, results, downloads, animation, compare), :mod:`sim.web.builder` (form to scenario file),
:mod:`sim.web.jobs` (the background job queue), :mod:`sim.web.library` (the scenario library),
:mod:`sim.web.results`, :mod:`sim.web.compare_view` and :mod:`sim.web.animation` (what the pages
show).
"""

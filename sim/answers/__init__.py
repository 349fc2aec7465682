"""Answers in words: what a run, replications or a comparison say, as text and as a report page.

Shared by the command line (:mod:`sim.cli`) and the workbench (:mod:`sim.web`), which both show
the same answer; neither imports the other.
"""

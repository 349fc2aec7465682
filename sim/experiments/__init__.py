"""Experiments: one run, replications, comparisons, sweeps, and the analyses built on them.

- :mod:`~sim.experiments.single`: :func:`run`, one replication;
- :mod:`~sim.experiments.workers`: :class:`Workers`, where an experiment's runs go;
- :mod:`~sim.experiments.tasks` and :mod:`~sim.experiments.run_folder`: running the tasks of
  an experiment and keeping each finished run in its folder (resumable);
- :mod:`~sim.experiments.replications`, :mod:`~sim.experiments.comparisons`,
  :mod:`~sim.experiments.sweeps`: replications of a scenario, a paired comparison of two, a grid
  of overrides;
- :mod:`~sim.experiments.targets`, :mod:`~sim.experiments.validation`,
  :mod:`~sim.experiments.elasticity`: the published figures and the checks against them;
- :mod:`~sim.experiments.factors`, :mod:`~sim.experiments.calibration`,
  :mod:`~sim.experiments.sensitivity_analysis`: the analyses of the model's assumptions.

The public names are in :mod:`sim` (``sim.replicate``, ``sim.Workers``, ...). This package imports
nothing itself, so that a single run does not load the executors.
"""

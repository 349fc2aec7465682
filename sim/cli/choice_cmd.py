"""``corridor-sim choice shares|calibrate SCENARIO``: what route choice sees; its constants."""

from __future__ import annotations

import argparse

from sim.answers.text import format_table
from sim.errors import ScenarioError
from sim.fileio import json_text
from sim.scenario import Scenario, load_scenario

__all__ = ["add_parser"]


def _scenario(path: str) -> Scenario:
    scenario = load_scenario(path)
    if not scenario.choice.markets:
        raise ScenarioError(f"{path}: choice.markets: no market to choose in")
    return scenario


def _shares(args: argparse.Namespace) -> int:
    from sim.choice import alternatives_table, family_shares, observed_family_shares

    scenario = _scenario(args.scenario)
    rows = alternatives_table(scenario)
    families = family_shares(scenario)
    given = observed_family_shares(scenario)
    if args.json:
        data = {"alternatives": rows, "chain_shares": families, "given_chain_shares": given}
        print(json_text(data))
        return 0
    print(
        f"{scenario.name}: logit shares in an empty corridor (mean over a week of decision "
        f"times), choice model in the scenario: {scenario.choice.model}\n"
    )
    headers = ["market", "flow", "chain", "hours", "spread h", "tariff CNY", "cost CNY"]
    headers += ["share %", "given %"]
    table = [
        [
            r["market"],
            r["flow"],
            r["chain"],
            r["expected_h"],
            r["spread_h"],
            r["tariff_cny"],
            r["cost_cny"],
            100 * r["share"],
            100 * r["given_share"],
        ]
        for r in rows
    ]
    print(format_table(headers, table, digits=[0, 0, 0, 1, 1, 0, 0, 1, 1]))
    print("\nTEU share by chain over all markets")
    fam = [[f, 100 * families.get(f, 0.0), 100 * g] for f, g in given.items()]
    print(format_table(["chain", "logit %", "given %"], fam, digits=[0, 2, 2]))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from sim.choice import calibrate_asc

    scenario = _scenario(args.scenario)
    cal = calibrate_asc(scenario)
    what = f"the TEU shares by chain of the markets' flows in {scenario.name}"
    if args.json:
        data = {
            "asc_cny_per_teu": cal.asc_cny_per_teu,
            "target_shares": cal.target_shares,
            "fitted_shares": cal.fitted_shares,
            "iterations": cal.iterations,
            "max_error_pp": cal.max_error_pp,
        }
        print(json_text(data))
        return 0
    print(
        f"Fitted in {cal.iterations} iterations; largest share gap {cal.max_error_pp:.4f} pp.\n"
        "Paste into the scenario (replacing its [choice.asc_cny_per_teu] table):\n"
    )
    print(cal.to_toml(what))
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``choice shares`` and ``choice calibrate`` to the top-level parser."""
    p = commands.add_parser("choice", help="route and mode choice: shares and fitted constants")
    sub = p.add_subparsers(dest="choice_command", metavar="ACTION", required=True)
    s = sub.add_parser("shares", help="each market's chains: time, tariff, cost and logit share")
    c = sub.add_parser("calibrate", help="fit the chain constants to the flows' TEU shares")
    for q, handler in ((s, _shares), (c, _calibrate)):
        q.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file with markets")
        q.add_argument("--json", action="store_true", help="print one JSON object")
        q.set_defaults(handler=handler)

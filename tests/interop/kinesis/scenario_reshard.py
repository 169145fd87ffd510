#!/usr/bin/env python3
"""The resharding scenarios (reshard_common.py) run with boto3 or the AWS CLI v2.

Usage: scenario_reshard.py --endpoint URL --stream NAME --client boto3|cli [--scenario reshard|ondemand]
       [--aws /usr/bin/aws] [--records-per-second N] [--account ID] [--region R]
  reshard:  SplitShard, MergeShards, UpdateShardCount, their refusals and UpdateStreamMode, then a
            read of every shard in lineage order checking exactly-once and per-key order.
  ondemand: an ON_DEMAND stream written above the split share of a small per-shard limit (the
            gateway must be configured for it; --records-per-second is the rate to write) until the
            gateway splits the hot shard itself; then the lineage read.
Prints one JSON line per step (see scenario_common.py); exit 1 when a step failed. Run boto3 with
/usr/bin/python3 (Debian python3-boto3); the CLI backend needs only python3 and `aws`.
"""
import argparse
import tempfile

from reshard_common import OnDemandScenario, ReshardScenario
from scenario_common import Reporter, main_guard


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--stream", required=True)
    parser.add_argument("--client", choices=["boto3", "cli"], required=True)
    parser.add_argument("--scenario", choices=["reshard", "ondemand"], default="reshard")
    parser.add_argument("--aws", default="/usr/bin/aws")
    parser.add_argument("--records-per-second", type=int, default=200)
    parser.add_argument("--account", default="000000000000")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--access-key", default="AKIDINTEROPEXAMPLE")
    parser.add_argument("--secret-key", default="interop-secret")
    args = parser.parse_args()
    reporter = Reporter(args.client)
    with tempfile.TemporaryDirectory(prefix="kkb-reshard-") as workdir:
        if args.client == "boto3":
            from scenario_boto3 import Boto3Backend
            backend = Boto3Backend(args.endpoint, args.region, args.access_key, args.secret_key)
        else:
            from scenario_cli import CliBackend
            backend = CliBackend(args.aws, args.endpoint, args.region, args.access_key, args.secret_key, workdir)
        if args.scenario == "ondemand":
            OnDemandScenario(backend, args.stream, reporter, args.records_per_second).run()
        else:
            ReshardScenario(backend, args.stream, reporter, account=args.account, region=args.region).run()
        if args.client == "cli":
            reporter.run("cli_invocations", lambda: {"aws_processes": backend.invocations})
    return reporter.finish()


if __name__ == "__main__":
    main_guard(main)

#!/usr/bin/env bash
# Runs every test project of the solution and prints one summary: the tests skipped with their
# reasons, the failures, and a closing line "N passed, N failed" (read by CI as the test count).
set -uo pipefail
cd "$(dirname "$0")/.."
configuration=Release
while [ $# -gt 0 ]; do
    case "$1" in
        -c|--configuration) configuration="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
results="$(pwd)/artifacts/TestResults/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"
dotnet test KafkaKinesisBridge.sln -c "$configuration" --no-build \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
    -- RunConfiguration.TreatNoTestsAsError=false
status=$?
python3 tests/summarize-results.py "$results"
summary=$?
# A crashed test host leaves no or partial results: fail on the runner's status too.
if [ $status -ne 0 ] || [ $summary -ne 0 ]; then
    exit 1
fi

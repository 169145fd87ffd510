#!/usr/bin/env python3
"""Summarizes the TRX files of a test run: skipped tests with their reasons, failures, and a
closing line "N passed, N failed" that CI reads as the test count. Exits 1 if anything failed or
no test ran at all."""
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def main(directory: str) -> int:
    passed, failed, skipped = 0, [], []
    files = sorted(pathlib.Path(directory).glob("**/*.trx"))
    for trx in files:
        root = ET.parse(trx).getroot()
        for result in root.iterfind(".//t:UnitTestResult", NS):
            name = result.get("testName", "?")
            outcome = result.get("outcome", "")
            if outcome == "Passed":
                passed += 1
            elif outcome == "NotExecuted":
                reason = "".join(result.itertext()).strip() or "no reason given"
                skipped.append((name, " ".join(reason.split())))
            else:
                message = result.find(".//t:Message", NS)
                failed.append((name, (message.text or "").strip() if message is not None else outcome))
    print()
    print(f"Test result files: {len(files)} in {directory}")
    if skipped:
        print(f"Skipped ({len(skipped)}):")
        for name, reason in skipped:
            print(f"  SKIPPED {name}: {reason}")
    if failed:
        print(f"Failed ({len(failed)}):")
        for name, message in failed:
            first = message.splitlines()[0] if message else ""
            print(f"  FAILED {name}: {first}")
    print(f"{len(skipped)} skipped")
    print(f"{passed} passed, {len(failed)} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "TestResults"))

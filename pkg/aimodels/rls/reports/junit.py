"""JUnit XML for CI: one testsuite per table, one testcase per case (its id as the name)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from aimodels.rls.results import MatrixReport


def junit_xml(report: MatrixReport) -> str:
    root = ET.Element(
        "testsuites",
        name="rls-matrix",
        tests=str(report.summary.total),
        failures=str(report.summary.failed),
    )
    suites: dict[str, ET.Element] = {}
    for result in report.cases:
        suite = suites.get(result.table)
        if suite is None:
            counts = report.summary.by_table[result.table]
            suite = ET.SubElement(
                root,
                "testsuite",
                name=f"rls.{result.table}",
                tests=str(counts.cases),
                failures=str(counts.failed),
            )
            suites[result.table] = suite
        case = ET.SubElement(
            suite, "testcase", classname=f"rls.{result.table}.{result.operation}", name=result.id
        )
        if not result.passed:
            failure = ET.SubElement(case, "failure", message=result.failure or "failed")
            failure.text = (
                f"{result.failure}\nrequest: {result.request}\n"
                f"expected: {result.expected}\nobserved: {result.observed}"
            )
    if report.summary.data_left_as_found is False:
        suite = ET.SubElement(root, "testsuite", name="rls.cleanup", tests="1", failures="1")
        case = ET.SubElement(suite, "testcase", classname="rls.cleanup", name="data-left-as-found")
        ET.SubElement(case, "failure", message="changed: " + ", ".join(report.summary.data_changes))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"

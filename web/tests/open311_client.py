"""Reads linli's Open311 endpoint with a third-party client (PyPI
`georeport`), in JSON and in XML, and checks what it gets back.

usage: open311_client.py ROOT_URL SERVICE_REQUEST_ID SERVICE_CODE
Prints one line per check and exits non-zero on the first failure.
"""
import sys

from georeport import GeoReport


def check(what, ok):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        sys.exit(1)


def main():
    root, request_id, code = sys.argv[1], sys.argv[2], sys.argv[3]
    for fmt in ("json", "xml"):
        client = GeoReport(root, output_format=fmt)
        services = client.get_service_list()
        codes = {s["service_code"] for s in services}
        check(f"{fmt}: services list the categories", "0104" in codes and len(codes) >= 20)
        definition = client.get_service_definition("0104")
        check(f"{fmt}: service definition of 0104", definition["service_code"] == "0104")
        found = client.get_service_requests(service_request_id=request_id)
        if isinstance(found, dict):  # xmltodict gives one element as a dict
            found = [found]
        check(f"{fmt}: the request by id", [r["service_request_id"] for r in found] == [request_id])
        one = client.get_service_request(request_id)
        check(f"{fmt}: status {one['status']}", one["status"] == "closed")
        check(f"{fmt}: status_notes {one['status_notes']}", one["status_notes"].startswith("已结案"))
        check(f"{fmt}: service code {one['service_code']}", one["service_code"] == code)
        check(f"{fmt}: no contact data", "phone" not in one and "13900002222" not in str(one) and "王五" not in str(one))
        recent = client.get_service_requests(status="closed")
        if isinstance(recent, dict):
            recent = [recent]
        check(f"{fmt}: closed requests include it", request_id in [r["service_request_id"] for r in recent])
    print("georeport client: all checks passed")


if __name__ == "__main__":
    main()

"""Schema post-processing for the API docs."""

DIALECTS = (
    ("Campaign API (Kanka dialect)", ("/api/1.0/",)),
    ("Workspace API (Twist dialect)", ("/api/v1/", "/api/v3/")),
)


def group_tags_by_dialect(result, generator, request, public):
    """Add ReDoc's `x-tagGroups`: each dialect's tags under one heading.

    Derived from the paths, so the two API adapters keep naming their own tags.
    """
    groups = {name: [] for name, _ in DIALECTS}
    for path, item in result.get("paths", {}).items():
        group = next((name for name, prefixes in DIALECTS if path.startswith(prefixes)), None)
        if group is None:
            continue
        for operation in item.values():
            for tag in operation.get("tags", []) if isinstance(operation, dict) else ():
                if tag not in groups[group]:
                    groups[group].append(tag)
    result["x-tagGroups"] = [{"name": name, "tags": tags} for name, tags in groups.items() if tags]
    return result

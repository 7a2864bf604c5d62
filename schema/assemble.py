#!/usr/bin/python3
"""Assemble the results schema from schema/base.json and one fragment per
phase, schema/phases/<name>.json, so that a phase and its schema sit
together (issue 12).  Standard library only.

A fragment is {"phase": <the schema of phases.<name>>, "$defs": {...}}.
In the base, {"$fragment": "<name>"} marks where a fragment's pieces go:
as phases.properties.<name>, its "phase"; as a $defs member, that member
of the fragment's "$defs".  A fragment without markers (a new phase) is
appended: its phase after the others, its $defs at the end, in its order.

  assemble.py            write schema/hpcprobe-results.schema.json
  assemble.py --check    exit 1 when the committed file differs
  assemble.py -o FILE    write FILE ("-": stdout)
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FULL = os.path.join(HERE, 'hpcprobe-results.schema.json')


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def marker(v):
    if isinstance(v, dict) and set(v) == {'$fragment'}:
        return v['$fragment']
    return None


def assemble(base, fragments):
    """The full schema: base with every marker replaced; raises ValueError
    on a marker without its fragment or piece, or a $defs name twice."""
    used_defs = set()
    props = base['properties']['phases']['properties']
    for name in list(props):
        m = marker(props[name])
        if m is None:
            continue
        if m not in fragments or 'phase' not in fragments[m]:
            raise ValueError('phases.%s: no schema/phases/%s.json "phase"'
                             % (name, m))
        props[name] = fragments[m]['phase']
    placed = {marker(p) for p in props.values()}
    for name, frag in sorted(fragments.items()):
        if name not in placed and name not in props:
            props[name] = frag['phase']
    defs = base['$defs']
    for key in list(defs):
        m = marker(defs[key])
        if m is None:
            continue
        piece = fragments.get(m, {}).get('$defs', {})
        if key not in piece:
            raise ValueError('$defs.%s: not in schema/phases/%s.json'
                             % (key, m))
        defs[key] = piece[key]
        used_defs.add((m, key))
    for name, frag in sorted(fragments.items()):
        for key, val in frag.get('$defs', {}).items():
            if (name, key) in used_defs:
                continue
            if key in defs:
                raise ValueError('$defs.%s: in the base and in %s.json'
                                 % (key, name))
            defs[key] = val
    return base


def text(d):
    return json.dumps(d, indent=2, ensure_ascii=False) + '\n'


def main(argv):
    base = load(os.path.join(HERE, 'base.json'))
    fragments = {os.path.basename(p)[:-5]: load(p) for p in
                 glob.glob(os.path.join(HERE, 'phases', '*.json'))}
    try:
        out = text(assemble(base, fragments))
    except ValueError as e:
        print('assemble.py: %s' % e, file=sys.stderr)
        return 2
    args = argv[1:]
    if args == ['--check']:
        with open(FULL, encoding='utf-8') as f:
            if f.read() != out:
                print('assemble.py: %s differs from its assembly; run '
                      'schema/assemble.py' % FULL, file=sys.stderr)
                return 1
        return 0
    if args and (len(args) != 2 or args[0] != '-o'):
        print(__doc__, file=sys.stderr)
        return 2
    path = args[1] if args else FULL
    if path == '-':
        sys.stdout.write(out)
        return 0
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(out)
    os.replace(tmp, path)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

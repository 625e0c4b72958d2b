"""The server-rendered page of `s2a serve`: one HTML document, inline CSS and SVG, no scripts.

Everything the page needs is in the response (no CDN, no web fonts), so it works offline. The form
is a GET form: a result has its own address, and an example is a plain link that fills the form.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Optional
from urllib.parse import urlencode

from s2a.api import ReactionPrediction
from s2a.serve.service import Example, Neighbour

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d3557;color:#fff;padding:.8rem 1.5rem}header h1{margin:0;font-size:1.25rem}
header p{margin:.2rem 0 0;font-size:.85rem;opacity:.85}
main{padding:1rem 1.5rem;max-width:1400px}
form{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:1rem;display:grid;
 grid-template-columns:1fr 1fr auto auto auto;gap:.6rem;align-items:end}
label{display:flex;flex-direction:column;font-size:.8rem;color:#4a5263;gap:.2rem}
input,select{font:inherit;font-size:.95rem;padding:.35rem .45rem;border:1px solid #b9c0cc;border-radius:4px}
input[name=reaction]{font-family:ui-monospace,Menlo,Consolas,monospace}
button{font:inherit;padding:.45rem 1.1rem;background:#1d3557;color:#fff;border:0;border-radius:4px;cursor:pointer}
.examples{font-size:.8rem;margin:.6rem 0 1rem}.examples a{font-family:ui-monospace,monospace;margin-right:.8rem;
 display:inline-block;max-width:28rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;vertical-align:bottom}
.error{background:#fdecea;border:1px solid #f5c2bd;color:#8a1c12;padding:.7rem 1rem;border-radius:6px}
.card{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:.8rem 1rem;margin-bottom:1rem}
.smiles{font-family:ui-monospace,monospace;font-size:.85rem;word-break:break-all;color:#4a5263}
.columns{display:grid;grid-template-columns:3fr 2fr;gap:1rem}
.hyp h3,.nn h3{margin:.2rem 0 .4rem;font-size:1rem}
.badge{font-size:.75rem;padding:.1rem .45rem;border-radius:9px;margin-left:.4rem;vertical-align:middle}
.valid{background:#e3f4e6;color:#1f6b2c}.invalid{background:#fdecea;color:#8a1c12}
.score{color:#4a5263;font-size:.85rem;font-weight:normal}
ol.steps{margin:.3rem 0 .4rem 1.2rem;padding:0}ol.steps li{margin:.1rem 0}
details{font-size:.8rem;color:#4a5263}code{font-family:ui-monospace,monospace;font-size:.8rem}
.links a{font-size:.8rem;margin-right:.8rem}
svg.reaction{max-width:100%;height:auto}
footer{font-size:.75rem;color:#6b7385;padding:1rem 1.5rem}
"""


@dataclass(frozen=True)
class Form:
    reaction: str = ""
    names: str = ""
    model: str = ""
    n_best: int = 3


@dataclass(frozen=True)
class Shown:
    """A prediction as the page shows it."""

    model: str
    prediction: ReactionPrediction
    svg: str
    neighbour: Optional[Neighbour] = None
    neighbour_svg: str = ""
    neighbour_note: str = ""


def render(models: Sequence[str], form: Form, examples: Sequence[Example] = (), shown: Optional[Shown] = None,
           error: str = "", max_n_best: int = 50) -> str:
    e = escape
    options = "".join(f'<option value="{e(m)}"{" selected" if m == form.model else ""}>{e(m)}</option>'
                      for m in models)
    example_links = "".join(
        f'<a href="/?{e(urlencode({"reaction": x.reaction, "names": x.names, "model": form.model, "n_best": form.n_best}))}"'
        f' title="{e(x.reaction)}">{e(x.reaction)}</a>' for x in examples)
    body = [
        '<form method="get" action="/">',
        f'<label>Reaction SMILES<input name="reaction" value="{e(form.reaction)}" required '
        'placeholder="CC(=O)Cl.OCC>>CC(=O)OCC" size="50" autocomplete="off" spellcheck="false"></label>',
        f'<label>Compound names (";"-separated, in SMILES order)<input name="names" value="{e(form.names)}" '
        'placeholder="acetyl chloride;ethanol"></label>',
        f'<label>Model<select name="model">{options}</select></label>',
        f'<label>n-best<input name="n_best" type="number" min="1" max="{max_n_best}" value="{form.n_best}" '
        'style="width:4.5rem"></label>',
        '<button type="submit">Predict</button>',
        "</form>",
    ]
    if example_links:
        body.append(f'<div class="examples">Test-split examples: {example_links}</div>')
    if error:
        body.append(f'<div class="error" role="alert" id="error">{e(error)}</div>')
    if shown is not None:
        body.append(_result(shown, form))
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>s2a — procedure prediction</title><style>{CSS}</style></head><body>"
        "<header><h1>s2a — from a reaction SMILES to its experimental procedure</h1>"
        "<p>Smiles2Actions reproduction: predicted lab actions, positions filled with the reaction's "
        "compounds, temperature and time ranges with representative values.</p></header>"
        f"<main>{''.join(body)}</main>"
        '<footer>API: <code>POST /predict</code>, <code>POST /predict/batch</code>, <code>POST /export</code>, '
        '<code>GET /models</code>, <code>GET /health</code> — <a href="/docs">OpenAPI docs</a> '
        "(those load Swagger UI from a CDN; this page needs nothing from outside).</footer>"
        "</body></html>"
    )


def _result(shown: Shown, form: Form) -> str:
    e = escape
    p = shown.prediction
    hyps = []
    for k, proc in enumerate(p.procedures, 1):
        badge = ('<span class="badge valid">valid</span>' if proc.valid else
                 '<span class="badge invalid" title="does not parse, or refers to a compound outside the '
                 'reaction or leaves one out">invalid</span>')
        steps = "".join(f"<li>{e(s)}.</li>" for s in proc.steps)
        query = {"reaction": p.query.smiles, "names": ";".join(p.query.names), "model": shown.model,
                 "n_best": max(form.n_best, k), "hypothesis": k}
        hyps.append(
            f'<div class="card hyp" data-rank="{k}"><h3>Prediction {k}{badge} '
            f'<span class="score">score {proc.score + 0.0:.3f}</span></h3>'
            f'<ol class="steps">{steps}</ol>'
            f"<details><summary>tokens</summary><code>{e(proc.actions)}</code></details>"
            f'<div class="links"><a href="/export?{e(urlencode({**query, "format": "ord"}))}">ORD reaction (text proto)</a>'
            f'<a href="/export?{e(urlencode({**query, "format": "json"}))}">JSON</a></div></div>')
    if not hyps:
        hyps.append('<div class="card">The model gave no prediction for this reaction.</div>')
    nn = shown.neighbour
    if nn is not None:
        steps = "".join(f"<li>{e(s)}.</li>" for s in nn.steps)
        side = (f'<div class="card nn"><h3>Nearest training reaction <span class="score">cosine {nn.score:.3f}'
                f'</span></h3>{shown.neighbour_svg}<div class="smiles">{e(nn.reaction)}</div>'
                f'<ol class="steps">{steps}</ol>'
                f"<details><summary>tokens</summary><code>{e(nn.actions)}</code></details></div>")
    else:
        side = f'<div class="card nn"><h3>Nearest training reaction</h3><p>{e(shown.neighbour_note)}</p></div>'
    names = "".join(f"<li><code>{e(s)}</code>: {e(n)}</li>" for s, n in p.names.items())
    return (
        f'<div class="card"><div id="drawing">{shown.svg}</div>'
        f'<div class="smiles">Canonical (as the model sees it): <span id="canonical">{e(p.reaction.smiles)}</span></div>'
        + (f'<details><summary>names</summary><ul>{names}</ul></details>' if names else "")
        + f'</div><div class="columns"><div id="predictions">{"".join(hyps)}</div><div>{side}</div></div>'
    )

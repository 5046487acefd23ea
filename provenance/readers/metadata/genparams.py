"""Generation parameters written by local diffusion UIs, as one fact per statement.

What each UI writes (docs/sources.md#sd-ui-parameters, #comfyui-metadata):

- AUTOMATIC1111 / Forge: text "prompt / Negative prompt: ... / Steps: 20, Sampler: ...,
  Model: ..., Version: ..." in PNG ``parameters`` (JPEG/WebP: EXIF UserComment).
- ComfyUI: the API graph (``prompt``) and the UI graph (``workflow``) as JSON in PNG text
  chunks; in (animated) WebP as EXIF strings "prompt:{...}" / "workflow:{...}" (Model, Make,
  then ImageDescription, DocumentName for further keys).
- InvokeAI: ``invokeai_metadata`` JSON (3.x+), ``sd-metadata`` JSON (2.x), ``Dream`` text.
- NovelAI: Software "NovelAI", Source = model, Description = prompt, Comment = JSON.
- Fooocus: ``parameters`` JSON or A1111 text with ``fooocus_scheme``; JPEG/WebP: EXIF
  UserComment + Software "Fooocus v..." + MakerNote = scheme; old versions: ``Comment`` JSON.
- SwarmUI: ``parameters`` JSON with ``sui_image_params`` (legacy: EXIF Model).
- Draw Things: XMP ``exif:UserComment`` JSON (c, uc, model, sampler, seed, scale, steps, size).
- InvokeAI 2.x ``Dream``: the prompt and dream.py switches (-s steps, -S seed, -W/-H, -C cfg,
  -A sampler); no model name.
- Pollinations API: EXIF Make = the model id ("flux") and UserComment JSON with the request
  (prompt, originalPrompt, model, seed, width, height, nologo, ...).
- ComfyUI video: MP4 / Matroska tag ``prompt`` / ``workflow`` (native SaveVideo) or a
  ``comment`` holding {"prompt": "<graph JSON>", "workflow": ...} (VideoHelperSuite).

The text is hostile input: JSON is decoded only up to ``MAX_JSON`` characters, graphs are
walked up to ``MAX_NODES`` nodes, RecursionError is caught, every string kept is cut.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from provenance.readers.metadata.where import Where

MAX_JSON = 1024 * 1024  # characters of one JSON document decoded
MAX_NODES = 2000  # graph nodes walked
MAX_MODELS = 64
MAX_PROMPT = 500  # characters of prompt kept (the report needs a hint, not the prompt)
MAX_NAME = 256
MODEL_EXT = re.compile(r"\.(?:safetensors|ckpt|pt|pth|gguf|bin|sft|onnx)$", re.I)

# ComfyUI input names that hold a model file, and the role of that file.
_COMFY_INPUTS = {
    "ckpt_name": "checkpoint",
    "unet_name": "diffusion",
    "model_name": "diffusion",
    "gguf_name": "diffusion",
    "lora_name": "lora",
    "vae_name": "vae",
    "control_net_name": "controlnet",
    "style_model_name": "other",
}
_COMFY_CLIP = re.compile(r"^clip_name\d?$")
# ComfyUI UI-graph node types (workflow JSON), by role of the files in their widgets.
_COMFY_LOADERS = (
    ("checkpoint", re.compile(r"checkpointloader|ckpt", re.I)),
    ("diffusion", re.compile(r"unetloader|diffusionmodel|unet|gguf", re.I)),
    ("lora", re.compile(r"lora", re.I)),
    ("vae", re.compile(r"vaeloader", re.I)),
    ("text-encoder", re.compile(r"cliploader|textencoder", re.I)),
    ("controlnet", re.compile(r"controlnet", re.I)),
)
# Wrapper nodes that fetch their model by Hugging Face repo id (kijai's CogVideoX wrapper:
# DownloadAndLoadCogVideoModel, input / first widget "THUDM/CogVideoX-5b").
_HF_LOADERS = re.compile(r"^downloadandload\w*model$", re.I)
_HF_REPO = re.compile(r"^[\w.\-]{1,96}/[\w.\-]{1,96}$")
_SAMPLER_TYPES = re.compile(r"ksampler|samplercustom|sampler", re.I)
_LATENT_TYPES = re.compile(r"^empty.*latent", re.I)
_A1111_FIELD = re.compile(r'\s*([\w \-/]+):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)')


@dataclass
class ModelRef:
    """A model file or id the parameters name, and the role it was loaded in."""

    name: str  # as written (a file name or a model id)
    role: str  # checkpoint / diffusion / lora / vae / text-encoder / controlnet / other / any
    node: str | None = None  # ComfyUI node id and type, A1111 field name


@dataclass
class GenerationParams:
    """One UI's statement of generation parameters, parsed, and where it was found."""

    tool: str  # "A1111", "Forge", "ComfyUI", "InvokeAI", "NovelAI", "Fooocus", "SwarmUI", ...
    format: str  # which layout was parsed: "a1111-text", "comfyui-prompt", "comfyui-workflow"...
    where: Where
    tool_version: str | None = None
    models: list[ModelRef] = field(default_factory=list)
    model_hash: str | None = None
    sampler: str | None = None
    scheduler: str | None = None
    steps: int | None = None
    cfg: float | None = None
    seed: int | None = None
    width: int | None = None
    height: int | None = None
    frames: int | None = None  # video length in frames (ComfyUI latent video nodes)
    prompt: str | None = None  # cut at MAX_PROMPT
    negative_prompt: str | None = None
    node_count: int | None = None  # ComfyUI graphs
    problems: list[str] = field(default_factory=list)


def _decode(text: str) -> Any:
    if len(text) > MAX_JSON:
        raise ValueError(f"JSON longer than {MAX_JSON} characters")
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def _short(value: Any, limit: int = MAX_PROMPT) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text[:limit] if text else None


def _int(value: Any) -> int | None:
    try:
        if isinstance(value, bool):
            return None
        number = int(float(value)) if isinstance(value, (int, float, str)) else None
    except (ValueError, OverflowError):
        return None
    return number if number is not None and abs(number) < 2**64 else None


def _float(value: Any) -> float | None:
    try:
        if isinstance(value, bool):
            return None
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if abs(number) < 1e12 else None


def _size(text: Any) -> tuple[int | None, int | None]:
    found = re.search(r"(\d{2,5})\s*[x×,]\s*(\d{2,5})", str(text or ""))
    return (int(found.group(1)), int(found.group(2))) if found else (None, None)


def _add_model(params: GenerationParams, name: Any, role: str, node: str | None) -> None:
    if not isinstance(name, str) or not name.strip() or len(params.models) >= MAX_MODELS:
        return
    name = name.strip()[:MAX_NAME]
    if any(m.name == name and m.role == role for m in params.models):
        return
    params.models.append(ModelRef(name, role, node))


# ------------------------------------------------------------------ AUTOMATIC1111 / Forge


def a1111(text: str, where: Where) -> GenerationParams | None:
    """The A1111 "parameters" text (also written by Forge, Fooocus' a1111 scheme, ...)."""
    lines = text.strip().splitlines()
    if not lines:
        return None
    last = lines[-1]
    if "Steps:" not in last:
        return None
    fields: dict[str, str] = {}
    for found in _A1111_FIELD.finditer(last):
        key, value = found.group(1).strip(), found.group(2).strip()
        if value.startswith('"') and value.endswith('"'):
            value = value[1:-1]
        if key and len(fields) < 100:
            fields.setdefault(key, value[:MAX_NAME])
    if "Steps" not in fields:
        return None
    body = "\n".join(lines[:-1])
    prompt, _, negative = body.partition("Negative prompt:")
    version = fields.get("Version")
    tool = "A1111"
    if version and version.lower().startswith("fooocus"):
        tool = "Fooocus"
    elif version and re.match(r"^f\d", version):
        tool = "Forge"
    params = GenerationParams(tool, "a1111-text", where, tool_version=version)
    _add_model(params, fields.get("Model"), "checkpoint", "Model")
    _add_model(params, fields.get("VAE"), "vae", "VAE")
    for key in ("Refiner", "Hires checkpoint"):
        _add_model(params, fields.get(key), "checkpoint", key)
    params.model_hash = fields.get("Model hash")
    params.sampler = fields.get("Sampler")
    params.scheduler = fields.get("Schedule type")
    params.steps = _int(fields.get("Steps"))
    params.cfg = _float(fields.get("CFG scale"))
    params.seed = _int(fields.get("Seed"))
    params.width, params.height = _size(fields.get("Size"))
    params.prompt = _short(prompt)
    params.negative_prompt = _short(negative)
    return params


# ------------------------------------------------------------------ ComfyUI


def comfy_prompt(graph: Any, where: Where) -> GenerationParams | None:
    """The API graph: {"<id>": {"class_type": ..., "inputs": {...}}, ...}."""
    if not isinstance(graph, dict) or not graph:
        return None
    nodes = [(str(k), v) for k, v in list(graph.items())[:MAX_NODES] if isinstance(v, dict)]
    if not any("class_type" in v for _, v in nodes):
        return None
    params = GenerationParams("ComfyUI", "comfyui-prompt", where, node_count=len(graph))
    texts: list[str] = []
    for ident, node in nodes:
        kind = str(node.get("class_type", ""))[:80]
        raw_inputs = node.get("inputs")
        inputs: dict[str, Any] = raw_inputs if isinstance(raw_inputs, dict) else {}
        for key, value in inputs.items():
            role = _COMFY_INPUTS.get(key) or ("text-encoder" if _COMFY_CLIP.match(key) else None)
            if role and isinstance(value, str) and (MODEL_EXT.search(value) or role != "other"):
                if key == "model_name" and not MODEL_EXT.search(value):
                    continue  # upscale / other model_name inputs with no file
                _add_model(params, value, role, f"{ident}:{kind}")
        repo = inputs.get("model")
        if _HF_LOADERS.match(kind) and isinstance(repo, str) and _HF_REPO.match(repo):
            _add_model(params, repo, "diffusion", f"{ident}:{kind}")
        if _SAMPLER_TYPES.search(kind):
            params.sampler = params.sampler or _short(inputs.get("sampler_name"), 80)
            params.scheduler = params.scheduler or _short(inputs.get("scheduler"), 80)
            params.steps = params.steps or _int(inputs.get("steps"))
            params.cfg = params.cfg if params.cfg is not None else _float(inputs.get("cfg"))
            seed = inputs.get("seed", inputs.get("noise_seed"))
            params.seed = params.seed if params.seed is not None else _int(seed)
        if _LATENT_TYPES.search(kind):
            params.width = params.width or _int(inputs.get("width"))
            params.height = params.height or _int(inputs.get("height"))
            params.frames = params.frames or _int(inputs.get("length"))
        if "textencode" in kind.lower():
            text = inputs.get("text") or inputs.get("prompt")
            if isinstance(text, str):
                texts.append(text)
    params.prompt = _short(texts[0]) if texts else None
    params.negative_prompt = _short(texts[1]) if len(texts) > 1 else None
    return params


def comfy_workflow(graph: Any, where: Where) -> GenerationParams | None:
    """The UI graph: {"nodes": [{"type": ..., "widgets_values": [...]}, ...], ...}."""
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list):
        return None
    nodes = [n for n in graph["nodes"][:MAX_NODES] if isinstance(n, dict)]
    params = GenerationParams("ComfyUI", "comfyui-workflow", where, node_count=len(nodes))
    version = graph.get("version")
    params.tool_version = _short(version, 40) if version is not None else None
    for node in nodes:
        kind = str(node.get("type", ""))[:80]
        widgets = node.get("widgets_values")
        if not isinstance(widgets, list):
            continue
        files = [w for w in widgets[:32] if isinstance(w, str) and MODEL_EXT.search(w)]
        repos = [w for w in widgets[:1] if isinstance(w, str) and _HF_REPO.match(w)]
        if _HF_LOADERS.match(kind) and repos:
            _add_model(params, repos[0], "diffusion", f"{node.get('id')}:{kind}")
        if files:
            role = next((r for r, p in _COMFY_LOADERS if p.search(kind)), "any")
            for name in files:
                _add_model(params, name, role, f"{node.get('id')}:{kind}")
    return params


def comfy(text: str, key: str, where: Where) -> GenerationParams | None:
    graph = _decode(text)
    if key == "workflow":
        return comfy_workflow(graph, where) or comfy_prompt(graph, where)
    return comfy_prompt(graph, where) or comfy_workflow(graph, where)


# ------------------------------------------------------------------ InvokeAI, NovelAI, ...


def invokeai(text: str, key: str, where: Where) -> GenerationParams | None:
    data = _decode(text)
    if not isinstance(data, dict):
        return None
    if key == "sd-metadata":
        raw_image = data.get("image")
        image: dict[str, Any] = raw_image if isinstance(raw_image, dict) else {}
        params = GenerationParams("InvokeAI", "sd-metadata", where)
        params.tool_version = _short(data.get("app_version"), 40)
        _add_model(params, data.get("model_weights"), "checkpoint", "model_weights")
        params.model_hash = _short(data.get("model_hash"), 80)
        prompt = image.get("prompt")
        if isinstance(prompt, list) and prompt and isinstance(prompt[0], dict):
            prompt = prompt[0].get("prompt")
        params.prompt = _short(prompt)
        params.sampler = _short(image.get("sampler"), 80)
        params.steps, params.cfg = _int(image.get("steps")), _float(image.get("cfg_scale"))
        params.seed = _int(image.get("seed"))
        params.width, params.height = _int(image.get("width")), _int(image.get("height"))
        return params
    params = GenerationParams("InvokeAI", "invokeai-metadata", where)
    params.tool_version = _short(data.get("app_version"), 40)
    for field_name, role in (("model", "checkpoint"), ("refiner_model", "checkpoint")):
        model = data.get(field_name)
        if isinstance(model, dict):
            _add_model(params, model.get("model_name") or model.get("name"), role, field_name)
        elif isinstance(model, str):
            _add_model(params, model, role, field_name)
    vae = data.get("vae")
    if isinstance(vae, dict):
        _add_model(params, vae.get("model_name") or vae.get("name"), "vae", "vae")
    for lora in data.get("loras", [])[:16] if isinstance(data.get("loras"), list) else []:
        if isinstance(lora, dict):
            nested = lora.get("model")
            inner: dict[str, Any] = nested if isinstance(nested, dict) else lora
            _add_model(params, inner.get("model_name") or inner.get("name"), "lora", "loras")
    params.prompt = _short(data.get("positive_prompt"))
    params.negative_prompt = _short(data.get("negative_prompt"))
    params.scheduler = _short(data.get("scheduler"), 80)
    params.steps, params.cfg = _int(data.get("steps")), _float(data.get("cfg_scale"))
    params.seed = _int(data.get("seed"))
    params.width, params.height = _int(data.get("width")), _int(data.get("height"))
    return params


def novelai(comment: str, source: str | None, where: Where) -> GenerationParams | None:
    data = _decode(comment)
    if not isinstance(data, dict):
        return None
    params = GenerationParams("NovelAI", "novelai-comment", where)
    _add_model(params, source, "checkpoint", "Source")
    params.prompt = _short(data.get("prompt"))
    params.negative_prompt = _short(data.get("uc"))
    params.sampler = _short(data.get("sampler"), 80)
    params.scheduler = _short(data.get("noise_schedule"), 80)
    params.steps, params.cfg = _int(data.get("steps")), _float(data.get("scale"))
    params.seed = _int(data.get("seed"))
    params.width, params.height = _int(data.get("width")), _int(data.get("height"))
    return params


def _norm_keys(data: dict[str, Any]) -> dict[str, Any]:
    return {re.sub(r"[\s\-]+", "_", str(k).strip().lower()): v for k, v in data.items()}


def fooocus(text: str, where: Where) -> GenerationParams | None:
    data = _decode(text)
    if not isinstance(data, dict):
        return None
    d = _norm_keys(data)
    if not any(
        k in d for k in ("base_model", "performance", "guidance_scale", "fooocus_v2_expansion")
    ):
        return None
    params = GenerationParams("Fooocus", "fooocus-json", where)
    params.tool_version = _short(d.get("version"), 40)
    _add_model(params, d.get("base_model"), "checkpoint", "base_model")
    refiner = d.get("refiner_model")
    if isinstance(refiner, str) and refiner.lower() not in ("none", ""):
        _add_model(params, refiner, "checkpoint", "refiner_model")
    vae = d.get("vae")
    if isinstance(vae, str) and MODEL_EXT.search(vae):
        _add_model(params, vae, "vae", "vae")
    params.prompt, params.negative_prompt = (
        _short(d.get("prompt")),
        _short(d.get("negative_prompt")),
    )
    params.sampler, params.scheduler = _short(d.get("sampler"), 80), _short(d.get("scheduler"), 80)
    params.steps = _int(d.get("steps"))
    params.cfg = _float(d.get("guidance_scale", d.get("cfg")))
    params.seed = _int(d.get("seed"))
    if "resolution" in d:
        params.width, params.height = _size(d.get("resolution"))
    else:
        params.width, params.height = _int(d.get("width")), _int(d.get("height"))
    return params


def swarmui(text: str, where: Where) -> GenerationParams | None:
    data = _decode(text)
    inner = data.get("sui_image_params") if isinstance(data, dict) else None
    if not isinstance(inner, dict):
        return None
    params = GenerationParams("SwarmUI", "swarmui-json", where)
    raw_extra = data.get("sui_extra_data")
    extra: dict[str, Any] = raw_extra if isinstance(raw_extra, dict) else {}
    params.tool_version = _short(inner.get("swarm_version") or extra.get("swarm_version"), 40)
    _add_model(params, inner.get("model"), "checkpoint", "model")
    params.prompt = _short(inner.get("prompt"))
    params.negative_prompt = _short(inner.get("negativeprompt"))
    params.sampler = _short(inner.get("comfyuisampler") or inner.get("autowebuisampler"), 80)
    params.scheduler = _short(inner.get("scheduler"), 80)
    params.steps, params.cfg = _int(inner.get("steps")), _float(inner.get("cfgscale"))
    params.seed = _int(inner.get("seed"))
    params.width, params.height = _int(inner.get("width")), _int(inner.get("height"))
    return params


def drawthings(text: str, where: Where) -> GenerationParams | None:
    data = _decode(text)
    if not isinstance(data, dict) or "c" not in data or "sampler" not in data:
        return None
    params = GenerationParams("Draw Things", "drawthings-json", where)
    _add_model(params, data.get("model"), "checkpoint", "model")
    params.prompt, params.negative_prompt = _short(data.get("c")), _short(data.get("uc"))
    params.sampler = _short(data.get("sampler"), 80)
    params.steps, params.cfg = _int(data.get("steps")), _float(data.get("scale"))
    params.seed = _int(data.get("seed"))
    params.width, params.height = _size(data.get("size"))
    return params


_DREAM_SWITCHES = re.compile(r"\s-(s|S|W|H|C|A|m)\s*([^\s\"]+)")
# Request keys only Pollinations writes beside prompt/model (docs/sources.md#pollinations).
_POLLINATIONS_KEYS = ("originalPrompt", "nologo", "nofeed", "isMature")


def dream(text: str, where: Where) -> GenerationParams | None:
    """InvokeAI 2.x ``Dream``: '"prompt" -s 50 -S 1234 -W 512 -H 768 -C 7.5 -A k_lms'."""
    found = re.match(r'^\s*"((?:\\.|[^"\\])*)"(.*)$', text, re.S)
    if not found:
        return None
    switches = dict(_DREAM_SWITCHES.findall(" " + found.group(2)))
    if not switches:
        return None
    params = GenerationParams("InvokeAI", "invokeai-dream", where)
    params.prompt = _short(found.group(1))
    params.steps, params.seed = _int(switches.get("s")), _int(switches.get("S"))
    params.width, params.height = _int(switches.get("W")), _int(switches.get("H"))
    params.cfg, params.sampler = _float(switches.get("C")), _short(switches.get("A"), 80)
    return params


def pollinations(text: str, where: Where) -> GenerationParams | None:
    data = _decode(text)
    if not isinstance(data, dict) or "model" not in data or "prompt" not in data:
        return None
    if not any(k in data for k in _POLLINATIONS_KEYS):
        return None
    params = GenerationParams("Pollinations", "pollinations-json", where)
    _add_model(params, data.get("model"), "any", "model")
    params.prompt = _short(data.get("prompt"))
    params.negative_prompt = _short(data.get("negative_prompt"))
    params.seed = _int(data.get("seed"))
    params.width, params.height = _int(data.get("width")), _int(data.get("height"))
    return params


def comfy_envelope(text: str, where: Where) -> GenerationParams | None:
    """VideoHelperSuite's comment: {"prompt": "<API graph JSON>", "workflow": "<UI graph>"}."""
    data = _decode(text)
    if not isinstance(data, dict):
        return None
    for key in ("prompt", "workflow"):
        inner = data.get(key)
        if isinstance(inner, str) and inner.strip().startswith("{"):
            found = comfy(inner, key, where)
        elif isinstance(inner, dict):
            found = (comfy_prompt if key == "prompt" else comfy_workflow)(inner, where)
        else:
            found = None
        if found:
            return found
    return None


# ------------------------------------------------------------------ dispatch

_ENVELOPE = re.compile(r"^\s*([A-Za-z_][\w\-]{0,40}):\s*([\[{].*)$", re.S)


def read(texts: Iterable[tuple[Where, str, str]]) -> list[GenerationParams]:
    """Every generation-parameter statement in ``texts`` = (where, key, raw value).

    Keys are PNG text keywords, EXIF tag names or XMP property names. A value that fails to
    parse costs a problem note on a placeholder fact (so the report says a UI wrote it)."""
    items = list(texts)
    by_key = {key: value for _, key, value in items}
    out: list[GenerationParams] = []
    for where, key, value in items:
        try:
            found = _one(where, key, value, by_key)
        except ValueError as exc:
            tool = "ComfyUI" if key in ("prompt", "workflow") else "unknown"
            bad = GenerationParams(tool, "unparsed", where)
            bad.problems.append(f"{where}: {exc}")
            found = [bad]
        out.extend(found)
    return out


def _one(where: Where, key: str, value: str, by_key: dict[str, str]) -> list[GenerationParams]:
    if not value:
        return []
    lowered = key.lower()
    text = value.strip()
    if lowered == "parameters":
        if text.startswith("{"):
            found = swarmui(text, where) or fooocus(text, where)
            return [found] if found else []
        found = a1111(text, where)
        if found and by_key.get("fooocus_scheme"):
            found.tool = "Fooocus"
        return [found] if found else []
    if lowered in ("prompt", "workflow") and text.startswith("{"):
        found = comfy(text, lowered, where)
        return [found] if found else []
    if lowered in ("invokeai_metadata", "sd-metadata"):
        found = invokeai(text, lowered, where)
        return [found] if found else []
    if lowered == "comment" and by_key.get("Software", "").strip() == "NovelAI":
        found = novelai(text, by_key.get("Source"), where)
        return [found] if found else []
    if lowered in ("comment", "©cmt") and text.startswith("{"):
        # Fooocus before 2.2 wrote a JSON Comment; ComfyUI's VideoHelperSuite the graphs
        found = fooocus(text, where) or comfy_envelope(text, where)
        return [found] if found else []
    if lowered == "dream":
        found = dream(text, where)
        return [found] if found else []
    if lowered in ("usercomment", "exif:usercomment"):
        if text.startswith("{"):
            found = (
                drawthings(text, where)
                or fooocus(text, where)
                or swarmui(text, where)
                or pollinations(text, where)
            )
            return [found] if found else []
        envelope = _ENVELOPE.match(text)
        if envelope and envelope.group(1).lower() in ("prompt", "workflow"):
            found = comfy(envelope.group(2), envelope.group(1).lower(), where)
            return [found] if found else []
        found = a1111(text, where)
        if found and by_key.get("Software", "").lower().startswith("fooocus"):
            found.tool = "Fooocus"
        return [found] if found else []
    if lowered in ("make", "model", "imagedescription", "documentname"):
        if lowered == "model" and text.startswith("{") and "sui_image_params" in text:
            found = swarmui(text, where)  # SwarmUI's legacy EXIF layout
            return [found] if found else []
        envelope = _ENVELOPE.match(text)
        if envelope and envelope.group(1).lower() in ("prompt", "workflow"):
            found = comfy(envelope.group(2), envelope.group(1).lower(), where)
            return [found] if found else []
    return []

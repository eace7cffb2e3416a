"""Int8 CPU path for the e5 encoder: SmoothQuant-style scaling + dynamic quantisation.

Plain ``quantize_dynamic`` quantises each batch's activations with one scale
per tensor; BERT activations have a few outlier channels, so that costs e5
about 0.012 cosine (mean) against fp32. Two measured fixes bring it to ~0.9995:

* each quantised Linear's input is divided by a per-channel factor
  ``s = amax(x)**alpha / amax(W)**(1 - alpha)`` (``alpha = 0.7``) that is
  folded into the weights (``W * s``), flattening activation outliers
  (SmoothQuant, Xiao et al. 2023); ``amax(x)`` comes from a fixed calibration
  set of 48 feedback sentences in en/ru/zh/pl shipped here;
* the FFN output projections (input = GELU output, the worst outliers) are not
  quantised: int8 there costs 0.014 cosine even smoothed. They run in bfloat16
  (fp32 accumulation) where the CPU has native bf16 dot products (``avx512_bf16``
  or ``amx_bf16``): 1.6x faster than fp32 for those layers, mean cosine to fp32
  unchanged (0.99943 on 300 eval texts), 20 % more sentences/s end to end.
  There the FFN activation (GELU) also runs in bfloat16, on the FFN input
  projection's output cast down (the cast the output projection made anyway): the
  activation is memory-bound on 2 cores, and half the bytes made the sentiment model
  ~10 % faster on 300-character reviews; its vectors stay at the same distance from
  fp32 (mean cosine 0.99941 vs 0.99940). Elsewhere, or with ``VOCMINE_BF16=0``,
  they stay fp32.

Weights are quantised per output channel. The calibration statistics are
computed when the model directory is built (``int8_calibration.safetensors``)
or, if that file is missing, on first load.

Examples:
    >>> len(CALIBRATION_TEXTS)
    48
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = [
    "CALIBRATION_TEXTS",
    "CALIBRATION_FILE",
    "ALPHA",
    "calibrate",
    "calibration_batches",
    "save_calibration",
    "save_calibration_atomic",
    "load_calibration",
    "smooth_quantize",
    "native_bf16",
]

CALIBRATION_FILE = "int8_calibration.safetensors"
ALPHA = 0.7

#: Calibration sentences (written for vocmine; public domain). Not used for evaluation.
CALIBRATION_TEXTS: tuple[str, ...] = (
    "The parcel arrived two days late and the box was crushed.",
    "Customer support answered within minutes and solved my billing issue.",
    "I was charged twice for the same order, please refund one payment.",
    "Great value for money, the battery easily lasts a whole weekend.",
    "The app keeps logging me out every time I switch to another screen.",
    "Staff at the front desk were rude and ignored our questions.",
    "Installation was simple, but the manual is missing half the steps.",
    "Room was clean and quiet, breakfast could have more variety.",
    "My card was blocked abroad and nobody called me back.",
    "Delivery driver left the package in the rain without ringing.",
    "Excellent food, slow service, we waited forty minutes for dessert.",
    "The new update fixed the crash but the interface is slower now.",
    "Посылка пришла с опозданием на неделю, коробка была мятая.",
    "Оператор горячей линии вежливо помог восстановить доступ к аккаунту.",
    "С карты дважды списали деньги за один и тот же заказ.",
    "Отличное качество за свои деньги, батарея держит два дня.",
    "Приложение постоянно вылетает после последнего обновления.",
    "Персонал на ресепшене был груб и не отвечал на вопросы.",
    "Курьер не позвонил и оставил заказ у соседей.",
    "Номер чистый и тихий, но завтрак очень однообразный.",
    "Доставка быстрая, упаковка надёжная, всё целое.",
    "Ждали официанта полчаса, еда остыла.",
    "Тариф подняли без предупреждения, очень недоволен.",
    "Интерфейс удобный, но поиск работает плохо.",
    "快递晚了三天才到，外包装也压坏了。",
    "客服态度很好，很快帮我解决了退款问题。",
    "同一个订单被扣了两次钱，请尽快处理。",
    "性价比很高，电池续航一整天没问题。",
    "更新以后应用总是闪退，根本没法用。",
    "前台服务员态度冷淡，问问题也不理人。",
    "房间干净安静，就是早餐种类太少了。",
    "菜的味道不错，但是上菜速度太慢。",
    "安装很简单，说明书写得不清楚。",
    "快递员没打电话就把包裹放在门口。",
    "价格比别家贵，质量却一般。",
    "物流很快，包装完好，给个好评。",
    "Paczka przyszła z tygodniowym opóźnieniem, karton był zgnieciony.",
    "Obsługa klienta szybko odpowiedziała i rozwiązała problem z fakturą.",
    "Pobrano mi pieniądze dwa razy za to samo zamówienie.",
    "Świetna jakość w stosunku do ceny, bateria trzyma cały dzień.",
    "Aplikacja ciągle się zawiesza po ostatniej aktualizacji.",
    "Personel w recepcji był niemiły i ignorował nasze pytania.",
    "Kurier zostawił paczkę pod drzwiami i nawet nie zadzwonił.",
    "Pokój czysty i cichy, ale śniadanie bardzo ubogie.",
    "Jedzenie pyszne, ale na deser czekaliśmy czterdzieści minut.",
    "Montaż prosty, instrukcja niestety niekompletna.",
    "Cena wzrosła bez żadnej informacji, jestem rozczarowany.",
    "Dostawa błyskawiczna, wszystko dobrze zapakowane.",
)


def _is_ffn_output(name: str) -> bool:
    return name.endswith("output.dense") and ".attention." not in name


def _linear_names(model: torch.nn.Module) -> list[str]:
    import torch

    return [n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]


def calibrate(model: torch.nn.Module, batches: list[list[list[int]]], *, pad_id: int) -> dict[str, Any]:
    """Per-channel max |input| of every Linear layer over the calibration batches."""
    import torch

    stats: dict[str, torch.Tensor] = {}
    hooks = []
    for name in _linear_names(model):

        def hook(_mod: Any, inp: tuple[Any, ...], _out: Any, name: str = name) -> None:
            x = inp[0].detach().abs().reshape(-1, inp[0].shape[-1]).amax(0).float()
            stats[name] = torch.maximum(stats[name], x) if name in stats else x

        hooks.append(model.get_submodule(name).register_forward_hook(hook))
    try:
        with torch.inference_mode():
            for segs in batches:
                width = max(len(s) for s in segs)
                ids = torch.full((len(segs), width), pad_id, dtype=torch.long)
                mask = torch.zeros_like(ids)
                for r, s in enumerate(segs):
                    ids[r, : len(s)] = torch.tensor(s)
                    mask[r, : len(s)] = 1
                model(input_ids=ids, attention_mask=mask)
    finally:
        for h in hooks:
            h.remove()
    return {k: v.contiguous() for k, v in stats.items()}


def calibration_batches(tok: Any, prefix: str, *, batch_size: int = 16) -> list[list[list[int]]]:
    """Token-id batches of :data:`CALIBRATION_TEXTS` (``tok`` is a ``TokenizerAdapter``)."""
    ids, _ = tok.encode([prefix + t for t in CALIBRATION_TEXTS])
    segs = [tok.head + content + tok.tail for content in ids]
    return [segs[i : i + batch_size] for i in range(0, len(segs), batch_size)]


def save_calibration(stats: dict[str, Any], path: Path) -> None:
    """Write calibration statistics as safetensors."""
    from safetensors.torch import save_file

    save_file(stats, str(path))


def save_calibration_atomic(stats: dict[str, Any], path: Path) -> bool:
    """Write calibration statistics to ``path`` via a temporary file; False if not writable."""
    import os
    import uuid

    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        save_calibration({k: v.half().contiguous() for k, v in stats.items()}, tmp)
        tmp.chmod(0o644)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return True


def load_calibration(path: Path) -> dict[str, Any]:
    """Read calibration statistics written by :func:`save_calibration`."""
    from safetensors.torch import load_file

    return load_file(str(path))


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (``VOCMINE_BF16=0``/``1`` overrides).

    Read from ``/proc/cpuinfo`` (Linux); elsewhere False. Without native support torch
    emulates bf16, which is slower than fp32.
    """
    import os

    env = os.environ.get("VOCMINE_BF16", "").strip()
    if env in {"0", "1"}:
        return env == "1"
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        return False
    return False


@functools.cache
def _wrappers() -> SimpleNamespace:
    """The torch wrapper modules of the recipe (defined on first use, so importing this module needs no torch)."""
    import torch

    class BF16Linear(torch.nn.Module):
        """``inner`` with bfloat16 weights; input cast to bf16, output back to float32."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner.to(torch.bfloat16)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.inner(x.to(torch.bfloat16))
            return out.float()

    class BF16Output(torch.nn.Module):
        """``inner(x)`` cast to bfloat16: the FFN activation then runs on half the bytes."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.inner(x)
            return out.to(torch.bfloat16)

    class SmoothedLinear(torch.nn.Module):
        """``inner(x * inv_scale)``: a Linear whose weights absorbed ``1 / inv_scale``."""

        def __init__(self, inner: torch.nn.Module, inv_scale: torch.Tensor) -> None:
            super().__init__()
            self.inner = inner
            self.register_buffer("inv_scale", inv_scale)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            scale: torch.Tensor = self.get_buffer("inv_scale")
            return self.inner(x * scale)

    return SimpleNamespace(BF16Linear=BF16Linear, BF16Output=BF16Output, SmoothedLinear=SmoothedLinear)


def smooth_quantize(
    model: torch.nn.Module, stats: dict[str, Any] | None, *, alpha: float = ALPHA, keep_ffn_output: bool = True
) -> torch.nn.Module:
    """Quantise ``model``'s Linear layers to int8 (dynamic), smoothing inputs when ``stats`` is given.

    Without ``stats`` every Linear is quantised per channel, unsmoothed (the
    generic recipe for users' own models). With ``stats`` and ``keep_ffn_output``, the
    FFN output projections run in bfloat16 where :func:`native_bf16`, else fp32.
    """
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    spec: dict[str, Any] = {}
    bf16 = native_bf16()
    for name in _linear_names(model):
        if stats is None:
            spec[name] = per_channel_dynamic_qconfig
            continue
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        if keep_ffn_output and _is_ffn_output(name):
            if bf16:
                setattr(parent, child, _wrappers().BF16Linear(model.get_submodule(name)))
            continue
        lin = model.get_submodule(name)
        weight: torch.Tensor = lin.get_parameter("weight")
        w_max = weight.detach().abs().amax(0).clamp(min=1e-5)
        s = stats[name].clamp(min=1e-5) ** alpha / w_max ** (1 - alpha)
        with torch.no_grad():
            weight.mul_(s[None, :])
        setattr(parent, child, _wrappers().SmoothedLinear(lin, (1.0 / s).contiguous()))
        spec[name + ".inner"] = per_channel_dynamic_qconfig
    with warnings.catch_warnings():
        # torch.ao.quantization is deprecated in favour of torchao (not a dependency);
        # the eager dynamic path still works in the pinned torch.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        model = quantize_dynamic(model, spec, dtype=torch.qint8)
    if stats is not None and keep_ffn_output and bf16:
        for name, module in list(model.named_modules()):
            if name.endswith("intermediate") and isinstance(getattr(module, "dense", None), torch.nn.Module):
                module.dense = _wrappers().BF16Output(module.dense)
    return model

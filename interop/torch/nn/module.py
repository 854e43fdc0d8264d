"""``nn.Module``: parameter and submodule registration, traversal, modes, state dicts, repr.

Traversals walk the module tree with an explicit stack (pre-order, registration order, as
PyTorch lists them), never by recursion.

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = Parameter(tensor([2.0]))
    ...     def forward(self, x):
    ...         return x * self.w
    >>> [name for name, _ in Affine().named_parameters()]
    ['w']
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from .hooks import RemovableHandle, _IncompatibleKeys, _tensor_type_name
from .parameter import Parameter, _core, reset_grad


class Module:
    """Base class of layers and models: subclasses set attributes and define ``forward``.

        >>> m = Sequential(Linear(1, 2), ReLU())
        >>> len(list(m.parameters()))
        2
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        pre = self.__dict__.get("_forward_pre_hooks")
        if pre:
            for hook in list(pre.values()):
                res = hook(self, args)
                if res is not None:
                    args = res if isinstance(res, tuple) else (res,)
        out = self.forward(*args, **kwargs)
        post = self.__dict__.get("_forward_hooks")
        if post:
            for hook in list(post.values()):
                res = hook(self, args, out)
                if res is not None:
                    out = res
        return out

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; a non-None result
        replaces the output. Returns a handle with ``.remove()``.

            >>> h = Linear(1, 1).register_forward_hook(lambda m, a, o: o * 2); h.remove()
        """
        return RemovableHandle(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; a non-None result replaces the
        positional arguments. Returns a handle with ``.remove()``.

            >>> h = Linear(1, 1).register_forward_pre_hook(lambda m, a: None); h.remove()
        """
        return RemovableHandle(self._forward_pre_hooks, hook)

    # -------------------------------------------------------------- registration

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name)
            params[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_tensor_type_name(value)}' as parameter "
                                f"'{name}' (torch.nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            modules = self.__dict__.get("_modules")
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name)
            modules[name] = value
        elif name in self.__dict__.get("_modules", ()):
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module "
                                f"'{name}' (torch.nn.Module or None expected)")
            self._modules[name] = None
        elif name in self.__dict__.get("_buffers", ()):
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        self.__dict__.pop(name, None)
        for table in ("_parameters", "_buffers", "_modules"):
            self.__dict__[table].pop(name, None)

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: look in the registries
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(table, ()):
                del self.__dict__[table][name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (a Parameter or None) as ``name``.

            >>> m = Module(); m.register_parameter("w", Parameter(tensor(1.0)))
        """
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_tensor_type_name(param)}' object to parameter "
                            f"'{name}' (torch.nn.Parameter or None required)")
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """Register a non-parameter tensor saved in the state dict (unless not persistent).

            >>> m = Module(); m.register_buffer("running", zeros(3))
        """
        self._forget(name)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as the child ``name``.

            >>> m = Module(); m.add_module("act", ReLU())
        """
        self._forget(name)
        self._modules[name] = module

    register_module = add_module

    # -------------------------------------------------------------- traversal

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """(qualified name, module) for this module and all below it, pre-order.

            >>> [n for n, _ in Sequential(ReLU(), Tanh()).named_modules()]
            ['', '0', '1']
        """
        seen = memo if memo is not None else set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in seen:
                    continue
                seen.add(id(mod))
            yield name, mod
            children = [(f"{name}.{k}" if name else k, m) for k, m in mod._modules.items()
                        if m is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and all below it.

            >>> len(list(Sequential(ReLU()).modules()))
            2
        """
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) of the direct children.

            >>> [n for n, _ in Sequential(ReLU()).named_children()]
            ['0']
        """
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        """The direct children.

            >>> [type(c).__name__ for c in Sequential(ReLU()).children()]
            ['ReLU']
        """
        for _, m in self.named_children():
            yield m

    def _named_members(self, table: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        seen = set()
        for mod_prefix, mod in mods:
            for k, v in getattr(mod, table).items():
                if v is None or (remove_duplicate and id(v) in seen):
                    continue
                seen.add(id(v))
                yield (f"{mod_prefix}.{k}" if mod_prefix else k), v

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(qualified name, parameter), each shared parameter once.

            >>> [n for n, _ in Linear(2, 1).named_parameters()]
            ['weight', 'bias']
        """
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The parameters of this module and (with ``recurse``) all below it.

            >>> sum(p.numel() for p in Linear(2, 1).parameters())
            3
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        """(qualified name, buffer).

            >>> list(Linear(2, 1).named_buffers())
            []
        """
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Any]:
        """The buffers of this module and all below it.

            >>> list(Linear(2, 1).buffers())
            []
        """
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule (children first, as PyTorch does) and on self.

            >>> _ = Sequential(ReLU()).apply(lambda m: None)
        """
        # post-order (each child's subtree, then the module), with an explicit stack
        stack: list[tuple[Module, bool]] = [(self, False)]
        while stack:
            mod, expanded = stack.pop()
            if expanded:
                fn(mod)
                continue
            stack.append((mod, True))
            stack.extend((c, False) for c in reversed(list(mod.children())))
        return self

    # -------------------------------------------------------------- modes and grads

    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and all below it; returns self.

            >>> Linear(1, 1).train(False).training
            False
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode (``train(False)``); returns self.

            >>> Linear(1, 1).eval().training
            False
        """
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter; returns self.

            >>> next(Linear(1, 1).requires_grad_(False).parameters()).requires_grad
            False
        """
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Convert floating-point parameters and buffers to a dtype (devices are all the
        CPU here); the Parameter objects stay the same. Returns self.

            >>> Linear(1, 1).to(float64).weight.dtype
            torch.float64
        """
        torch = _core()
        dtype = kwargs.get("dtype")
        for a in args:
            if isinstance(a, torch.dtype):
                dtype = a
            elif isinstance(a, torch.Tensor):
                dtype = a.dtype
        if dtype is None:
            return self
        if not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dtype}")
        for m in self.modules():
            for table in (m._parameters, m._buffers):
                for t in table.values():
                    if t is not None and t.is_floating_point():
                        t.data = t.data.to(dtype)
                        if getattr(t, "_grad", None) is not None:
                            t._grad = t._grad.to(dtype)
        return self

    def float(self) -> Module:
        """Floating-point parameters to float32; returns self.

            >>> Linear(1, 1).double().float().weight.dtype
            torch.float32
        """
        return self.to(_core().float32)

    def double(self) -> Module:
        """Floating-point parameters to float64; returns self.

            >>> Linear(1, 1).double().weight.dtype
            torch.float64
        """
        return self.to(_core().float64)

    def cpu(self) -> Module:
        """Everything already lives on the CPU; returns self.

            >>> m = Linear(1, 1); m.cpu() is m
            True
        """
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the parameters' gradients: to None (PyTorch 2's default) or to zeros.

            >>> Linear(1, 1).zero_grad()
        """
        for p in self.parameters():
            reset_grad(p, set_to_none)

    # -------------------------------------------------------------- state dicts

    def state_dict(self, *args: Any, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict:
        """Parameters and persistent buffers by qualified name (detached, sharing storage).

            >>> list(Linear(1, 1).state_dict())
            ['weight', 'bias']
        """
        if args:  # PyTorch's deprecated positional form: (destination, prefix, keep_vars)
            destination = args[0]
            prefix = args[1] if len(args) > 1 else prefix
            keep_vars = args[2] if len(args) > 2 else keep_vars
        out = OrderedDict() if destination is None else destination
        # no de-duplication: a module used twice appears under both names, as in PyTorch
        for mod_prefix, mod in self.named_modules(prefix=prefix.rstrip("."),
                                                  remove_duplicate=False):
            head = f"{mod_prefix}." if mod_prefix else ""
            for k, p in mod._parameters.items():
                if p is not None:
                    out[head + k] = p if keep_vars else p.detach()
            for k, b in mod._buffers.items():
                if b is not None and k not in mod._non_persistent:
                    out[head + k] = b if keep_vars else b.detach()
        return out

    def load_state_dict(self, state_dict: dict, strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy values from ``state_dict`` into this module's parameters and buffers.

            >>> Linear(1, 1).load_state_dict({"weight": ones(1, 1), "bias": zeros(1)})
            <All keys matched successfully>
        """
        torch = _core()
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        for k, target in own.items():
            if k not in state_dict:
                continue
            value = state_dict[k]
            if not isinstance(value, torch.Tensor):
                errors.append(f'While copying the parameter named "{k}", expected torch.Tensor '
                              f"or Tensor-like object from checkpoint but received "
                              f"{type(value)}")
                continue
            if tuple(value.shape) != tuple(target.shape):
                errors.append(f"size mismatch for {k}: copying a param with shape "
                              f"{value.shape} from checkpoint, the shape in current model is "
                              f"{target.shape}.")
                continue
            if assign:
                self._assign(k, value)
            else:
                with torch.no_grad():
                    target.copy_(value)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:"
                               "\n\t" + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)

    def _assign(self, key: str, value: Any) -> None:
        *path, leaf = key.split(".")
        mod = self
        for part in path:
            mod = mod._modules[part]
        if leaf in mod._parameters:
            old = mod._parameters[leaf]
            mod._parameters[leaf] = value if isinstance(value, Parameter) else Parameter(
                value, requires_grad=old.requires_grad)
        else:
            mod._buffers[leaf] = value

    # -------------------------------------------------------------- repr

    def extra_repr(self) -> str:
        """The text inside this module's parentheses in its repr (override in layers).

            >>> Linear(1, 2).extra_repr()
            'in_features=1, out_features=2, bias=True'
        """
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        # nested modules repr their children; the depth is the model's, not a graph's
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for name, mod in self._modules.items():
            child = repr(mod).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        if not self._modules and len(lines) <= 1:
            return f"{self._get_name()}({extra})"
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self) -> list[str]:
        keys = set(super().__dir__())
        for table in ("_parameters", "_buffers", "_modules"):
            keys.update(self.__dict__.get(table, ()))
        return sorted(keys)

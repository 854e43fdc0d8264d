/* The tracer's hot path in C: an optional accelerator for `tracer/_purepath.py`.
 *
 * Recording one equation in Python costs three object constructions (Var, Eqn,
 * Tracer), a handful of calls and the garbage collector's visits to every new
 * container; together several times the cost of the NumPy operation itself. This
 * module provides Var, and the storage of the other two (and of Trace) as C base
 * types that the Python classes in ir.py and trace.py subclass, keeping every
 * method, and `bind`, which
 * records the common equation (operands that are tracers of the current trace or
 * literals, one result) without entering Python. Everything else -- captured
 * tracers, multiple results, errors -- goes to `Trace.process`, the Python
 * implementation, which stays the reference: `tests/test_tracer_fastpath.py` runs
 * both on the same programs and compares the IRs.
 *
 * Var holds only an interned Aval, so it can never be part of a reference cycle:
 * it is not tracked by the garbage collector, and tuples of Vars (an equation's
 * outputs) drop out of the collector's lists after their first visit.
 *
 * Built by setup.py as an optional extension; without a C compiler the package
 * runs on the pure-Python path (`TRACEGRAD_PURE_PYTHON=1` forces that path).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

/* ---- Var: an IR variable (an identity with an aval) ----
 * A static type, not GC-tracked: it holds only an interned Aval, so it can never be
 * part of a reference cycle (instances of Python subclasses are always tracked). */

typedef struct {
    PyObject_HEAD
    PyObject *aval;
} VarObject;

static PyObject *
var_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"aval", NULL};
    PyObject *aval;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:Var", kwlist, &aval))
        return NULL;
    VarObject *self = (VarObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->aval = Py_NewRef(aval);
    return (PyObject *)self;
}

static void
var_dealloc(VarObject *self)
{
    Py_XDECREF(self->aval);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
var_repr(VarObject *self)
{
    return PyUnicode_FromFormat("Var(%R)", self->aval);
}

static PyObject *
var_reduce(VarObject *self, PyObject *Py_UNUSED(ignored))
{
    return Py_BuildValue("O(O)", (PyObject *)Py_TYPE(self), self->aval);
}

static PyMethodDef var_methods[] = {
    {"__reduce__", (PyCFunction)var_reduce, METH_NOARGS, NULL},
    {NULL},
};

static PyMemberDef var_members[] = {
    {"aval", T_OBJECT_EX, offsetof(VarObject, aval), 0, "the variable's Aval"},
    {NULL},
};

static PyTypeObject Var_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tracegrad.tracer.ir.Var",
    .tp_basicsize = sizeof(VarObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A variable of the IR: an identity with an aval. Names come from printing.\n\n"
              ">>> Var(Aval((3,), np.float64)).aval\nf64[3]",
    .tp_new = var_new,
    .tp_dealloc = (destructor)var_dealloc,
    .tp_repr = (reprfunc)var_repr,
    .tp_methods = var_methods,
    .tp_members = var_members,
};

/* ---- EqnBase: outputs = prim[params] inputs ---- */

typedef struct {
    PyObject_HEAD
    PyObject *prim, *inputs, *outputs, *params;
} EqnObject;

static PyObject *
eqn_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"prim", "inputs", "outputs", "params", NULL};
    PyObject *prim, *inputs, *outputs, *params;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOO:Eqn", kwlist, &prim, &inputs,
                                     &outputs, &params))
        return NULL;
    EqnObject *self = (EqnObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->prim = Py_NewRef(prim);
    self->inputs = Py_NewRef(inputs);
    self->outputs = Py_NewRef(outputs);
    self->params = Py_NewRef(params);
    return (PyObject *)self;
}

static int
eqn_traverse(EqnObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->prim);
    Py_VISIT(self->inputs);
    Py_VISIT(self->outputs);
    Py_VISIT(self->params);
    return 0;
}

static int
eqn_clear(EqnObject *self)
{
    Py_CLEAR(self->prim);
    Py_CLEAR(self->inputs);
    Py_CLEAR(self->outputs);
    Py_CLEAR(self->params);
    return 0;
}

static void
eqn_dealloc(EqnObject *self)
{
    PyObject_GC_UnTrack(self);
    eqn_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMemberDef eqn_members[] = {
    {"prim", T_OBJECT_EX, offsetof(EqnObject, prim), 0, "the primitive"},
    {"inputs", T_OBJECT_EX, offsetof(EqnObject, inputs), 0, "tuple of input atoms"},
    {"outputs", T_OBJECT_EX, offsetof(EqnObject, outputs), 0, "tuple of output Vars"},
    {"params", T_OBJECT_EX, offsetof(EqnObject, params), 0, "the Params"},
    {NULL},
};

static PyTypeObject EqnBase_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tracegrad.tracer._fastpath.EqnBase",
    .tp_basicsize = sizeof(EqnObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Storage of an IR equation (see tracer.ir.Eqn).",
    .tp_new = eqn_new,
    .tp_dealloc = (destructor)eqn_dealloc,
    .tp_traverse = (traverseproc)eqn_traverse,
    .tp_clear = (inquiry)eqn_clear,
    .tp_members = eqn_members,
};

/* ---- TracerBase: the traced value a function sees ---- */

typedef struct {
    PyObject_HEAD
    PyObject *trace, *tvar, *val;
} TracerObject;

static PyObject *
tracer_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"trace", "var", "val", NULL};
    PyObject *trace, *var, *val;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO:Tracer", kwlist, &trace, &var, &val))
        return NULL;
    TracerObject *self = (TracerObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->trace = Py_NewRef(trace);
    self->tvar = Py_NewRef(var);
    self->val = Py_NewRef(val);
    return (PyObject *)self;
}

static int
tracer_traverse(TracerObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->trace);
    Py_VISIT(self->tvar);
    Py_VISIT(self->val);
    return 0;
}

static int
tracer_clear(TracerObject *self)
{
    Py_CLEAR(self->trace);
    Py_CLEAR(self->tvar);
    Py_CLEAR(self->val);
    return 0;
}

static void
tracer_dealloc(TracerObject *self)
{
    PyObject_GC_UnTrack(self);
    tracer_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMemberDef tracer_members[] = {
    {"_trace", T_OBJECT_EX, offsetof(TracerObject, trace), 0, "the Trace recording it"},
    {"tvar", T_OBJECT_EX, offsetof(TracerObject, tvar), 0, "its Var in that trace"},
    {"val", T_OBJECT, offsetof(TracerObject, val), 0, "its value, or None (abstract)"},
    {NULL},
};

static PyTypeObject TracerBase_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tracegrad.tracer._fastpath.TracerBase",
    .tp_basicsize = sizeof(TracerObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Storage of a tracer (see tracer.trace.Tracer).",
    .tp_new = tracer_new,
    .tp_dealloc = (destructor)tracer_dealloc,
    .tp_traverse = (traverseproc)tracer_traverse,
    .tp_clear = (inquiry)tracer_clear,
    .tp_members = tracer_members,
};

/* ---- TraceBase: the lists and flags the hot path touches ---- */

typedef struct {
    PyObject_HEAD
    PyObject *eqns, *eqn_vals;
    char concrete, keep_values, active;
} TraceObject;

static PyObject *
trace_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    TraceObject *self = (TraceObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->eqns = PyList_New(0);
    self->eqn_vals = PyList_New(0);
    if (self->eqns == NULL || self->eqn_vals == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    self->concrete = 1;
    self->keep_values = 1;
    self->active = 1;
    return (PyObject *)self;
}

static int
trace_traverse(TraceObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->eqns);
    Py_VISIT(self->eqn_vals);
    return 0;
}

static int
trace_clear(TraceObject *self)
{
    Py_CLEAR(self->eqns);
    Py_CLEAR(self->eqn_vals);
    return 0;
}

static void
trace_dealloc(TraceObject *self)
{
    PyObject_GC_UnTrack(self);
    trace_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMemberDef trace_members[] = {
    {"eqns", T_OBJECT_EX, offsetof(TraceObject, eqns), 0, "the recorded Eqns"},
    {"eqn_vals", T_OBJECT_EX, offsetof(TraceObject, eqn_vals), 0, "their values"},
    {"concrete", T_BOOL, offsetof(TraceObject, concrete), 0, "values are computed"},
    {"keep_values", T_BOOL, offsetof(TraceObject, keep_values), 0, "eqn_vals is filled"},
    {"active", T_BOOL, offsetof(TraceObject, active), 0, "the trace is still open"},
    {NULL},
};

static PyTypeObject TraceBase_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "tracegrad.tracer._fastpath.TraceBase",
    .tp_basicsize = sizeof(TraceObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Storage of a trace (see tracer.trace.Trace).",
    .tp_new = trace_new,
    .tp_dealloc = (destructor)trace_dealloc,
    .tp_traverse = (traverseproc)trace_traverse,
    .tp_clear = (inquiry)trace_clear,
    .tp_members = trace_members,
};

/* ---- bind ---- */

/* Set once by `install` (tracer/trace.py): the objects the hot path needs. */
static PyObject *current_trace;   /* the ContextVar of the innermost trace */
static PyTypeObject *trace_type;  /* tracer.trace.Trace */
static PyTypeObject *tracer_type; /* tracer.trace.Tracer */
static PyTypeObject *var_type;    /* tracer.ir.Var */
static PyTypeObject *eqn_type;    /* tracer.ir.Eqn */
static PyTypeObject *literal_type;/* tracer.ir.Literal */
static PyObject *params_type;     /* tracer.ir.Params */
static PyObject *empty_params;    /* Params() */
static PyObject *scalar_avals;    /* NumPy scalar type -> Aval */
static PyObject *array_avals;     /* (shape, dtype) -> Aval */
static PyObject *aval_from_value; /* the general rule, for avals not seen before */
static PyObject *eager_bind;      /* bind when no trace is open (Python) */
static PyObject *str_impl, *str_abstract_eval, *str_multiple_results, *str_val, *str_aval,
    *str_shape, *str_dtype, *str_process;

#define MAX_FAST_ARGS 8

/* The aval of a concrete result: NumPy scalars by type, arrays by (shape, dtype). */
static PyObject *
result_aval(PyObject *out)
{
    PyObject *aval = PyDict_GetItemWithError(scalar_avals, (PyObject *)Py_TYPE(out));
    if (aval != NULL)
        return Py_NewRef(aval);
    if (PyErr_Occurred())
        return NULL;
    PyObject *shape = PyObject_GetAttr(out, str_shape);
    PyObject *dtype = shape ? PyObject_GetAttr(out, str_dtype) : NULL;
    if (dtype != NULL) {
        PyObject *key = PyTuple_Pack(2, shape, dtype);
        if (key != NULL) {
            aval = PyDict_GetItemWithError(array_avals, key);
            Py_XINCREF(aval);
            Py_DECREF(key);
        }
    }
    Py_XDECREF(shape);
    Py_XDECREF(dtype);
    if (aval != NULL)
        return aval;
    PyErr_Clear();  /* not an array, or a new (shape, dtype): the general rule */
    return PyObject_CallOneArg(aval_from_value, out);
}

/* Record prim(args) in `trace` when every operand is a tracer of this trace or a
 * Literal and prim has one result. Returns the new Tracer, NULL with an error set,
 * or NULL with no error set when the case is not handled here. */
static PyObject *
record(TraceObject *trace, PyObject *prim, PyObject *const *args, Py_ssize_t n,
       PyObject *kwnames)
{
    PyObject *vals[MAX_FAST_ARGS];
    PyObject *result = NULL, *out = NULL, *aval = NULL, *atoms = NULL, *outputs = NULL,
             *params = NULL, *fn = NULL;
    PyObject *multi;
    VarObject *var = NULL;
    EqnObject *eqn = NULL;
    TracerObject *tracer = NULL;
    Py_ssize_t i, n_kw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    int concrete = trace->concrete;

    if (n > MAX_FAST_ARGS || !trace->active)
        return NULL;
    multi = PyObject_GetAttr(prim, str_multiple_results);
    if (multi == NULL)
        return NULL;
    i = PyObject_IsTrue(multi);
    Py_DECREF(multi);
    if (i != 0)
        return NULL;  /* an error (set), or several results (not handled here) */
    atoms = PyTuple_New(n);
    if (atoms == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *a = args[i];
        if (Py_TYPE(a) == tracer_type && ((TracerObject *)a)->trace == (PyObject *)trace
                && Py_TYPE(((TracerObject *)a)->tvar) == var_type) {
            PyObject *v = ((TracerObject *)a)->tvar;
            PyTuple_SET_ITEM(atoms, i, Py_NewRef(v));
            vals[i] = concrete ? ((TracerObject *)a)->val : ((VarObject *)v)->aval;
        } else if (Py_TYPE(a) == literal_type) {
            PyTuple_SET_ITEM(atoms, i, Py_NewRef(a));
            vals[i] = NULL;  /* filled below: a new reference */
        } else {
            goto not_handled;
        }
    }
    /* vals: the operands' values (concrete) or avals (abstract); literal slots filled */
    for (i = 0; i < n; i++) {
        if (vals[i] == NULL) {
            vals[i] = PyObject_GetAttr(args[i], concrete ? str_val : str_aval);
            if (vals[i] == NULL)
                goto fail_vals;
        } else {
            Py_INCREF(vals[i]);
        }
    }
    fn = PyObject_GetAttr(prim, concrete ? str_impl : str_abstract_eval);
    if (fn == NULL)
        goto fail_vals_all;
    {
        /* Vectorcall with keyword arguments: values follow the positionals. */
        PyObject *stack[MAX_FAST_ARGS + 16];
        if (n + n_kw > MAX_FAST_ARGS + 16) {
            Py_DECREF(fn);
            for (i = 0; i < n; i++)
                Py_DECREF(vals[i]);
            goto not_handled;
        }
        for (i = 0; i < n; i++)
            stack[i] = vals[i];
        for (i = 0; i < n_kw; i++)
            stack[n + i] = args[n + i];
        out = PyObject_Vectorcall(fn, stack, n, kwnames);
    }
    Py_DECREF(fn);
    for (i = 0; i < n; i++)
        Py_DECREF(vals[i]);
    if (out == NULL) {
        /* The Python path raises it again, with the abstract rule's message. */
        PyErr_Clear();
        goto not_handled;
    }
    if (concrete) {
        aval = result_aval(out);
        if (aval == NULL)
            goto fail;
    } else {
        aval = out;
        out = Py_NewRef(Py_None);
    }
    if (n_kw == 0) {
        params = Py_NewRef(empty_params);
    } else {
        PyObject *d = PyDict_New();
        if (d == NULL)
            goto fail;
        for (i = 0; i < n_kw; i++) {
            if (PyDict_SetItem(d, PyTuple_GET_ITEM(kwnames, i), args[n + i]) < 0) {
                Py_DECREF(d);
                goto fail;
            }
        }
        params = PyObject_CallOneArg(params_type, d);
        Py_DECREF(d);
        if (params == NULL)
            goto fail;
    }
    var = (VarObject *)var_type->tp_alloc(var_type, 0);
    if (var == NULL)
        goto fail;
    var->aval = Py_NewRef(aval);
    outputs = PyTuple_Pack(1, (PyObject *)var);
    if (outputs == NULL)
        goto fail;
    /* The collector only needs to see objects that can be part of a garbage cycle.
     * Vars hold an Aval and Literals a NumPy scalar: neither can lead back to a
     * tuple of them, so the tuples are untracked now (for Vars alone, the collector
     * would do the same on its first visit). */
    PyObject_GC_UnTrack(outputs);
    PyObject_GC_UnTrack(atoms);
    eqn = (EqnObject *)eqn_type->tp_alloc(eqn_type, 0);
    if (eqn == NULL)
        goto fail;
    eqn->prim = Py_NewRef(prim);
    eqn->inputs = Py_NewRef(atoms);
    eqn->outputs = Py_NewRef(outputs);
    eqn->params = Py_NewRef(params);
    /* With the shared empty Params, an equation refers only to those tuples and to
     * its primitive, which the registry keeps alive: it cannot be part of a garbage
     * cycle either. (Params may hold callables, so other equations stay tracked.) */
    if (params == empty_params)
        PyObject_GC_UnTrack(eqn);
    if (PyList_Append(trace->eqns, (PyObject *)eqn) < 0)
        goto fail;
    if ((trace->keep_values || !concrete) && PyList_Append(trace->eqn_vals, out) < 0) {
        /* keep eqns and eqn_vals aligned */
        PyList_SetSlice(trace->eqns, PyList_GET_SIZE(trace->eqns) - 1,
                        PyList_GET_SIZE(trace->eqns), NULL);
        goto fail;
    }
    tracer = (TracerObject *)tracer_type->tp_alloc(tracer_type, 0);
    if (tracer == NULL)
        goto fail;
    tracer->trace = Py_NewRef((PyObject *)trace);
    tracer->tvar = Py_NewRef((PyObject *)var);
    tracer->val = Py_NewRef(out);
    result = (PyObject *)tracer;
fail:
    Py_XDECREF(out);
    Py_XDECREF(aval);
    Py_XDECREF(atoms);
    Py_XDECREF(outputs);
    Py_XDECREF(params);
    Py_XDECREF((PyObject *)var);
    Py_XDECREF((PyObject *)eqn);
    return result;
fail_vals_all:
    i = n;
fail_vals:
    while (--i >= 0)
        Py_DECREF(vals[i]);
    Py_DECREF(atoms);
    return NULL;
not_handled:
    Py_XDECREF(atoms);
    return NULL;
}

PyDoc_STRVAR(bind_doc,
"bind(prim, *args, **params)\n--\n\n"
"Apply prim: record it in the current trace, or evaluate it when none is open.\n"
"The C twin of tracer._purepath.bind.");

static PyObject *
bind(PyObject *module, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    PyObject *trace, *prim, *res, *rest, *params;
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "bind() needs a primitive");
        return NULL;
    }
    if (trace_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "tracegrad's _fastpath is not installed");
        return NULL;
    }
    if (PyContextVar_Get(current_trace, NULL, &trace) < 0)
        return NULL;
    if (trace == Py_None || trace == NULL) {
        Py_XDECREF(trace);
        return PyObject_Vectorcall(eager_bind, args, nargsf, kwnames);
    }
    prim = args[0];
    if (Py_TYPE(trace) == trace_type) {
        res = record((TraceObject *)trace, prim, args + 1, nargs - 1, kwnames);
        if (res != NULL || PyErr_Occurred()) {
            Py_DECREF(trace);
            return res;
        }
    }
    /* The general case: Trace.process(prim, args, params) in Python. */
    rest = PyTuple_New(nargs - 1);
    params = PyDict_New();
    if (rest == NULL || params == NULL)
        goto error;
    for (Py_ssize_t i = 1; i < nargs; i++)
        PyTuple_SET_ITEM(rest, i - 1, Py_NewRef(args[i]));
    if (kwnames != NULL) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); i++)
            if (PyDict_SetItem(params, PyTuple_GET_ITEM(kwnames, i), args[nargs + i]) < 0)
                goto error;
    }
    res = PyObject_CallMethodObjArgs(trace, str_process, prim, rest, params, NULL);
    Py_DECREF(rest);
    Py_DECREF(params);
    Py_DECREF(trace);
    return res;
error:
    Py_XDECREF(rest);
    Py_XDECREF(params);
    Py_DECREF(trace);
    return NULL;
}

PyDoc_STRVAR(install_doc,
"install(current_trace, Trace, Tracer, Var, Eqn, Literal, Params, scalar_avals,\n"
"        array_avals, aval_from_value, eager_bind)\n--\n\n"
"Hand the hot path the objects it uses (called once, by tracer/trace.py).");

static PyObject *
install(PyObject *module, PyObject *args)
{
    PyObject *objs[11];
    if (!PyArg_UnpackTuple(args, "install", 11, 11, &objs[0], &objs[1], &objs[2], &objs[3],
                           &objs[4], &objs[5], &objs[6], &objs[7], &objs[8], &objs[9],
                           &objs[10]))
        return NULL;
    for (int i = 1; i <= 5; i++) {
        if (!PyType_Check(objs[i])) {
            PyErr_SetString(PyExc_TypeError, "install: expected classes");
            return NULL;
        }
    }
    if (!PyDict_Check(objs[7]) || !PyDict_Check(objs[8])) {
        PyErr_SetString(PyExc_TypeError, "install: expected the aval dicts");
        return NULL;
    }
    PyObject *empty = PyObject_CallNoArgs(objs[6]);
    if (empty == NULL)
        return NULL;
    Py_XSETREF(current_trace, Py_NewRef(objs[0]));
    Py_XSETREF(trace_type, (PyTypeObject *)Py_NewRef(objs[1]));
    Py_XSETREF(tracer_type, (PyTypeObject *)Py_NewRef(objs[2]));
    Py_XSETREF(var_type, (PyTypeObject *)Py_NewRef(objs[3]));
    Py_XSETREF(eqn_type, (PyTypeObject *)Py_NewRef(objs[4]));
    Py_XSETREF(literal_type, (PyTypeObject *)Py_NewRef(objs[5]));
    Py_XSETREF(params_type, Py_NewRef(objs[6]));
    Py_XSETREF(empty_params, empty);
    Py_XSETREF(scalar_avals, Py_NewRef(objs[7]));
    Py_XSETREF(array_avals, Py_NewRef(objs[8]));
    Py_XSETREF(aval_from_value, Py_NewRef(objs[9]));
    Py_XSETREF(eager_bind, Py_NewRef(objs[10]));
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"bind", (PyCFunction)(void (*)(void))bind, METH_FASTCALL | METH_KEYWORDS, bind_doc},
    {"install", install, METH_VARARGS, install_doc},
    {NULL},
};

static struct PyModuleDef fastpath_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "tracegrad.tracer._fastpath",
    .m_doc = "The tracer's hot path in C (optional; see tracer/_purepath.py).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__fastpath(void)
{
    PyObject *m;
    PyTypeObject *types[] = {&Var_Type, &EqnBase_Type, &TracerBase_Type, &TraceBase_Type};
    const char *names[] = {"Var", "EqnBase", "TracerBase", "TraceBase"};
#define INTERN(var, text) if ((var = PyUnicode_InternFromString(text)) == NULL) return NULL
    INTERN(str_impl, "impl");
    INTERN(str_abstract_eval, "abstract_eval");
    INTERN(str_multiple_results, "multiple_results");
    INTERN(str_val, "val");
    INTERN(str_aval, "aval");
    INTERN(str_shape, "shape");
    INTERN(str_dtype, "dtype");
    INTERN(str_process, "process");
#undef INTERN
    m = PyModule_Create(&fastpath_module);
    if (m == NULL)
        return NULL;
    for (int i = 0; i < 4; i++) {
        if (PyType_Ready(types[i]) < 0 || PyModule_AddObjectRef(m, names[i],
                                                                (PyObject *)types[i]) < 0) {
            Py_DECREF(m);
            return NULL;
        }
    }
    return m;
}

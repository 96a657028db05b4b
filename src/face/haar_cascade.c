/* OpenCV cascade XML into ft_cascade (see haar_cascade.h), with libxml2.
 * The layout follows OpenCV 4.6's reader, CascadeClassifierImpl::Data::read
 * and the features' read() in objdetect/src/cascadedetect.cpp, and, for the
 * old format, haar_cvt::convert in cascadedetect_convert.cpp. Everything a
 * detector will index (features, nodes, leaves, rects) is checked here, so
 * that evaluation needs no checks. */
#include "face/haar_cascade.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#define THRESHOLD_EPS 1e-5f /* OpenCV subtracts it from every stage threshold */
#define MAX_ITEMS (1 << 22) /* far above any real cascade; bounds allocations */

typedef struct reader {
    const char *name;
    char *err;
    size_t err_size;
    int failed;
    /* growing arrays */
    ft_cascade c;
    int stage_cap, tree_cap, node_cap, leaf_cap, subset_cap, feature_cap;
} reader;

static ft_status fail(reader *r, const char *fmt, ...)
{
    if (r->failed)
        return FT_ERR_FORMAT;
    r->failed = 1;
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    /* one line, whatever libxml2's message holds */
    for (char *c = why; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
    if (r->err && r->err_size)
        snprintf(r->err, r->err_size, "%s: %s", r->name, why);
    return FT_ERR_FORMAT;
}

/* ------------------------------------------------------------ the tree */

static int named(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (named(c, name))
            return c;
    return NULL;
}

static xmlNode *first_element(const xmlNode *n)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

static xmlNode *next_element(const xmlNode *n)
{
    for (xmlNode *c = n ? n->next : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

static int element_count(const xmlNode *n)
{
    int k = 0;
    for (xmlNode *c = first_element(n); c; c = next_element(c))
        k++;
    return k;
}

/* Up to MAX numbers of N's text (its own text nodes, whitespace-separated)
 * into OUT; their count, or -1 when something else is there. */
static int numbers(const xmlNode *n, double *out, int max)
{
    int k = 0;
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next) {
        if (c->type == XML_COMMENT_NODE)
            continue;
        if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
            return -1;
        const char *s = (const char *)c->content;
        while (s && *s) {
            while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
                s++;
            if (!*s)
                break;
            char *end;
            errno = 0;
            double v = strtod(s, &end);
            if (end == s || errno == ERANGE || !isfinite(v) || k == max)
                return -1;
            out[k++] = v;
            s = end;
            if (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
                return -1;
        }
    }
    return k;
}

static int is_int(double v)
{
    return v == floor(v) && v >= INT_MIN && v <= INT_MAX;
}

/* The integer that node NAME of N holds. */
static int int_field(reader *r, const xmlNode *n, const char *name, int *out)
{
    double v;
    xmlNode *f = child(n, name);
    if (!f) {
        fail(r, "no <%s> in <%s>", name, (const char *)n->name);
        return 0;
    }
    if (numbers(f, &v, 1) != 1 || !is_int(v)) {
        fail(r, "<%s> is not an integer (line %d)", name, f->line);
        return 0;
    }
    *out = (int)v;
    return 1;
}

static int real_field(reader *r, const xmlNode *n, const char *name, double *out)
{
    xmlNode *f = child(n, name);
    if (!f) {
        fail(r, "no <%s> in <%s> (line %d)", name, (const char *)n->name, n->line);
        return 0;
    }
    if (numbers(f, out, 1) != 1) {
        fail(r, "<%s> is not a number (line %d)", name, f->line);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------- growing arrays */

static int grow(reader *r, void **array, int *cap, int need, size_t item)
{
    if (need <= *cap)
        return 1;
    if (need > MAX_ITEMS) {
        fail(r, "too many items (more than %d)", MAX_ITEMS);
        return 0;
    }
    int cap2 = *cap ? *cap : 64;
    while (cap2 < need)
        cap2 *= 2;
    void *p = realloc(*array, (size_t)cap2 * item);
    if (!p) {
        fail(r, "out of memory");
        return 0;
    }
    *array = p;
    *cap = cap2;
    return 1;
}

#define GROW(r, field, capf, need)                                                                \
    grow(r, (void **)&(r)->c.field, &(r)->capf, need, sizeof *(r)->c.field)

static int add_node(reader *r, int feature, float threshold, int left, int right)
{
    if (!GROW(r, nodes, node_cap, r->c.node_count + 1))
        return -1;
    ft_cascade_node *n = &r->c.nodes[r->c.node_count];
    n->feature = feature;
    n->threshold = threshold;
    n->left = left;
    n->right = right;
    return r->c.node_count++;
}

static int add_leaf(reader *r, float v)
{
    if (!GROW(r, leaves, leaf_cap, r->c.leaf_count + 1))
        return 0;
    r->c.leaves[r->c.leaf_count++] = v;
    return 1;
}

static ft_cascade_stage *add_stage(reader *r, double threshold)
{
    if (!GROW(r, stages, stage_cap, r->c.stage_count + 1))
        return NULL;
    ft_cascade_stage *s = &r->c.stages[r->c.stage_count++];
    s->first_tree = r->c.tree_count;
    s->tree_count = 0;
    s->threshold = (float)threshold - THRESHOLD_EPS;
    return s;
}

static ft_cascade_tree *add_tree(reader *r)
{
    if (!GROW(r, trees, tree_cap, r->c.tree_count + 1))
        return NULL;
    ft_cascade_tree *t = &r->c.trees[r->c.tree_count++];
    t->first_node = r->c.node_count;
    t->first_leaf = r->c.leaf_count;
    t->node_count = 0;
    return t;
}

/* ------------------------------------------------------------- features */

/* One Haar feature: `<rects><_>x y w h weight</_>...</rects>` and an
 * optional `<tilted>`. OpenCV 4.6 keeps the third rect only when its weight
 * is positive (OptFeature::setOffsets uses an empty rect otherwise, whose
 * sum is 0); so do we. */
static int read_haar_feature(reader *r, const xmlNode *f, ft_cascade_haar_feature *out)
{
    memset(out, 0, sizeof *out);
    xmlNode *rects = child(f, "rects");
    if (!rects)
        return fail(r, "feature without <rects> (line %d)", f->line), 0;
    int k = 0;
    for (xmlNode *e = first_element(rects); e; e = next_element(e), k++) {
        double v[5];
        if (k == FT_CASCADE_HAAR_RECTS)
            return fail(r, "feature with more than 3 rects (line %d)", e->line), 0;
        if (numbers(e, v, 5) != 5 || !is_int(v[0]) || !is_int(v[1]) || !is_int(v[2]) ||
            !is_int(v[3]))
            return fail(r, "feature rect is not 'x y width height weight' (line %d)", e->line),
                   0;
        for (int i = 0; i < 4; i++)
            out->rect[k][i] = (int)v[i];
        out->weight[k] = (float)v[4];
    }
    if (k < 1)
        return fail(r, "feature without rects (line %d)", rects->line), 0;
    xmlNode *t = child(f, "tilted");
    if (t) {
        double v;
        if (numbers(t, &v, 1) != 1)
            return fail(r, "<tilted> is not a number (line %d)", t->line), 0;
        out->tilted = v != 0;
    }
    if (!(out->weight[2] > 0))
        memset(out->rect[2], 0, sizeof out->rect[2]), out->weight[2] = 0;
    /* Every rect inside the window, so evaluation never leaves it. */
    for (int i = 0; i < FT_CASCADE_HAAR_RECTS; i++) {
        const int *q = out->rect[i];
        if (out->weight[i] == 0 && i >= 2)
            continue;
        int ok = q[2] >= 0 && q[3] >= 0 && q[1] >= 0;
        if (out->tilted)
            ok = ok && q[0] - q[3] >= 0 && (long)q[0] + q[2] <= r->c.width &&
                 (long)q[1] + q[2] + q[3] <= r->c.height;
        else
            ok = ok && q[0] >= 0 && (long)q[0] + q[2] <= r->c.width &&
                 (long)q[1] + q[3] <= r->c.height;
        if (!ok)
            return fail(r, "feature rect %d %d %d %d outside the %dx%d window (line %d)", q[0],
                        q[1], q[2], q[3], r->c.width, r->c.height, f->line),
                   0;
    }
    if (out->tilted)
        r->c.has_tilted = 1;
    return 1;
}

/* One LBP feature: `<rect>x y w h</rect>`, a 3x3 grid of w x h blocks. */
static int read_lbp_feature(reader *r, const xmlNode *f, int out[4])
{
    xmlNode *e = child(f, "rect");
    double v[4];
    if (!e || numbers(e, v, 4) != 4 || !is_int(v[0]) || !is_int(v[1]) || !is_int(v[2]) ||
        !is_int(v[3]))
        return fail(r, "LBP feature without <rect>x y width height</rect> (line %d)", f->line),
               0;
    for (int i = 0; i < 4; i++)
        out[i] = (int)v[i];
    if (out[0] < 0 || out[1] < 0 || out[2] < 0 || out[3] < 0 ||
        (long)out[0] + 3L * out[2] > r->c.width || (long)out[1] + 3L * out[3] > r->c.height)
        return fail(r, "LBP feature %d %d %d %d outside the %dx%d window (line %d)", out[0],
                    out[1], out[2], out[3], r->c.width, r->c.height, f->line),
               0;
    return 1;
}

static int read_features(reader *r, const xmlNode *features)
{
    int n = element_count(features);
    if (n < 1)
        return fail(r, "no features"), 0;
    if (r->c.type == FT_CASCADE_HAAR) {
        if (!GROW(r, haar, feature_cap, n))
            return 0;
    } else if (!GROW(r, lbp, feature_cap, n)) {
        return 0;
    }
    int i = 0;
    for (xmlNode *f = first_element(features); f; f = next_element(f), i++) {
        int ok = r->c.type == FT_CASCADE_HAAR ? read_haar_feature(r, f, &r->c.haar[i])
                                              : read_lbp_feature(r, f, r->c.lbp[i]);
        if (!ok)
            return 0;
    }
    r->c.feature_count = n;
    return 1;
}

/* ------------------------------------------------------ the new format */

static int read_weak(reader *r, const xmlNode *w)
{
    xmlNode *in = child(w, "internalNodes"), *lv = child(w, "leafValues");
    if (!in || !lv)
        return fail(r, "weak classifier without internalNodes/leafValues (line %d)", w->line), 0;
    const int step = 3 + (r->c.categories > 0 ? r->c.subset_words : 1);
    enum { MAX_VALUES = 4096 };
    double *v = malloc(MAX_VALUES * sizeof *v);
    if (!v)
        return fail(r, "out of memory"), 0;
    int nv = numbers(in, v, MAX_VALUES);
    int ok = 1;
    if (nv < step || nv % step != 0) {
        ok = fail(r, "internalNodes of %d numbers, not a multiple of %d (line %d)", nv < 0 ? 0 : nv,
                  step, in->line) == FT_OK;
    }
    ft_cascade_tree *t = ok ? add_tree(r) : NULL;
    ok = ok && t;
    const int nodes = ok ? nv / step : 0;
    for (int k = 0; ok && k < nodes; k++) {
        const double *q = v + k * step;
        if (!is_int(q[0]) || !is_int(q[1]) || !is_int(q[2])) {
            ok = 0;
            fail(r, "internalNodes: left, right and feature must be integers (line %d)", in->line);
            break;
        }
        float threshold = r->c.categories > 0 ? 0.f : (float)q[3];
        if (add_node(r, (int)q[2], threshold, (int)q[0], (int)q[1]) < 0) {
            ok = 0;
            break;
        }
        if (r->c.categories > 0) {
            if (!GROW(r, subsets, subset_cap, r->c.node_count * r->c.subset_words)) {
                ok = 0;
                break;
            }
            for (int j = 0; j < r->c.subset_words; j++) {
                if (!is_int(q[3 + j])) {
                    ok = 0;
                    fail(r, "internalNodes: subset words must be integers (line %d)", in->line);
                    break;
                }
                r->c.subsets[(r->c.node_count - 1) * r->c.subset_words + j] = (int32_t)q[3 + j];
            }
        }
    }
    if (ok) {
        t = &r->c.trees[r->c.tree_count - 1];
        t->node_count = nodes;
        int nl = numbers(lv, v, MAX_VALUES);
        if (nl != nodes + 1) {
            ok = 0;
            fail(r, "leafValues: %d values for %d nodes (line %d)", nl < 0 ? 0 : nl, nodes,
                 lv->line);
        }
        for (int k = 0; ok && k < nl; k++)
            ok = add_leaf(r, (float)v[k]);
    }
    free(v);
    return ok;
}

static int read_new_format(reader *r, const xmlNode *root)
{
    xmlNode *st = child(root, "stageType");
    xmlNode *ft = child(root, "featureType");
    xmlChar *stage_type = st ? xmlNodeGetContent(st) : NULL;
    xmlChar *feature_type = ft ? xmlNodeGetContent(ft) : NULL;
    int ok = 1;
    const char *s = stage_type ? (const char *)stage_type : "";
    const char *f = feature_type ? (const char *)feature_type : "";
    while (*s == ' ' || *s == '\n')
        s++;
    while (*f == ' ' || *f == '\n')
        f++;
    if (strncmp(s, "BOOST", 5) != 0) {
        ok = fail(r, "stageType '%.20s' is not BOOST", s) == FT_OK;
    } else if (strncmp(f, "HAAR", 4) == 0) {
        r->c.type = FT_CASCADE_HAAR;
    } else if (strncmp(f, "LBP", 3) == 0) {
        r->c.type = FT_CASCADE_LBP;
    } else {
        ok = fail(r, "featureType '%.20s' is not supported (HAAR or LBP)", f) == FT_OK;
    }
    xmlFree(stage_type);
    xmlFree(feature_type);
    if (!ok || !int_field(r, root, "width", &r->c.width) ||
        !int_field(r, root, "height", &r->c.height))
        return 0;
    if (r->c.width < 3 || r->c.height < 3 || r->c.width > 4096 || r->c.height > 4096)
        return fail(r, "window %dx%d is not a detection window", r->c.width, r->c.height), 0;
    xmlNode *fp = child(root, "featureParams");
    if (!fp)
        return fail(r, "no <featureParams>"), 0;
    if (!int_field(r, fp, "maxCatCount", &r->c.categories))
        return 0;
    if (r->c.categories < 0 || r->c.categories > 4096)
        return fail(r, "maxCatCount %d is out of range", r->c.categories), 0;
    if ((r->c.type == FT_CASCADE_LBP) != (r->c.categories > 0))
        return fail(r, "maxCatCount %d does not fit %s features", r->c.categories,
                    r->c.type == FT_CASCADE_LBP ? "LBP" : "Haar"),
               0;
    r->c.subset_words = (r->c.categories + 31) / 32;
    if (r->c.type == FT_CASCADE_LBP && r->c.categories != 256)
        return fail(r, "LBP features have 256 categories, not %d", r->c.categories), 0;
    xmlNode *stages = child(root, "stages");
    if (!stages)
        return fail(r, "no <stages>"), 0;
    for (xmlNode *sn = first_element(stages); sn; sn = next_element(sn)) {
        double threshold;
        if (!real_field(r, sn, "stageThreshold", &threshold))
            return 0;
        xmlNode *weaks = child(sn, "weakClassifiers");
        if (!weaks)
            return fail(r, "stage without <weakClassifiers> (line %d)", sn->line), 0;
        if (!add_stage(r, threshold))
            return 0;
        const int stage = r->c.stage_count - 1;
        for (xmlNode *w = first_element(weaks); w; w = next_element(w))
            if (!read_weak(r, w))
                return 0;
        r->c.stages[stage].tree_count = r->c.tree_count - r->c.stages[stage].first_tree;
        if (r->c.stages[stage].tree_count == 0)
            return fail(r, "stage without weak classifiers (line %d)", sn->line), 0;
    }
    xmlNode *features = child(root, "features");
    if (!features)
        return fail(r, "no <features>"), 0;
    return read_features(r, features);
}

/* ------------------------------------------------------ the old format */

/* One node of an old-format tree: its feature (appended to the features, as
 * haar_cvt::convert numbers them), threshold and children: a value (a new
 * leaf, numbered in the order met) or the index of another node. */
static int read_old_node(reader *r, const xmlNode *n)
{
    xmlNode *f = child(n, "feature");
    if (!f)
        return fail(r, "tree node without <feature> (line %d)", n->line), 0;
    if (!GROW(r, haar, feature_cap, r->c.feature_count + 1))
        return 0;
    if (!read_haar_feature(r, f, &r->c.haar[r->c.feature_count]))
        return 0;
    const int feature = r->c.feature_count++;
    double threshold;
    if (!real_field(r, n, "threshold", &threshold))
        return 0;
    const int tree_first_leaf = r->c.trees[r->c.tree_count - 1].first_leaf;
    int side[2];
    static const char *const val_names[2] = {"left_val", "right_val"};
    static const char *const node_names[2] = {"left_node", "right_node"};
    for (int k = 0; k < 2; k++) {
        xmlNode *val = child(n, val_names[k]);
        if (val) {
            double v;
            if (numbers(val, &v, 1) != 1)
                return fail(r, "<%s> is not a number (line %d)", val_names[k], val->line), 0;
            side[k] = -(r->c.leaf_count - tree_first_leaf);
            if (!add_leaf(r, (float)v))
                return 0;
        } else if (!int_field(r, n, node_names[k], &side[k])) {
            return 0;
        }
    }
    return add_node(r, feature, (float)threshold, side[0], side[1]) >= 0;
}

static int read_old_format(reader *r, const xmlNode *root)
{
    r->c.type = FT_CASCADE_HAAR;
    double size[2];
    xmlNode *sz = child(root, "size");
    if (!sz || numbers(sz, size, 2) != 2 || !is_int(size[0]) || !is_int(size[1]))
        return fail(r, "<size> is not 'width height'"), 0;
    /* haar_cvt::convert writes the width as the height and the height as
     * the width; cascades are square, so it never mattered. We keep them. */
    r->c.width = (int)size[0];
    r->c.height = (int)size[1];
    if (r->c.width < 3 || r->c.height < 3 || r->c.width > 4096 || r->c.height > 4096)
        return fail(r, "window %dx%d is not a detection window", r->c.width, r->c.height), 0;
    xmlNode *stages = child(root, "stages");
    for (xmlNode *sn = first_element(stages); sn; sn = next_element(sn)) {
        double threshold;
        if (!real_field(r, sn, "stage_threshold", &threshold))
            return 0;
        xmlNode *trees = child(sn, "trees");
        if (!trees)
            return fail(r, "stage without <trees> (line %d)", sn->line), 0;
        if (!add_stage(r, threshold))
            return 0;
        const int stage = r->c.stage_count - 1;
        for (xmlNode *t = first_element(trees); t; t = next_element(t)) {
            if (!add_tree(r))
                return 0;
            int nodes = 0;
            for (xmlNode *n = first_element(t); n; n = next_element(n), nodes++)
                if (!read_old_node(r, n))
                    return 0;
            ft_cascade_tree *tree = &r->c.trees[r->c.tree_count - 1];
            tree->node_count = nodes;
            if (nodes == 0)
                return fail(r, "empty tree (line %d)", t->line), 0;
            if (r->c.leaf_count - tree->first_leaf != nodes + 1)
                return fail(r, "tree of %d nodes with %d leaves (line %d)", nodes,
                            r->c.leaf_count - tree->first_leaf, t->line),
                       0;
        }
        r->c.stages[stage].tree_count = r->c.tree_count - r->c.stages[stage].first_tree;
        if (r->c.stages[stage].tree_count == 0)
            return fail(r, "stage without trees (line %d)", sn->line), 0;
    }
    if (r->c.feature_count == 0)
        return fail(r, "no stages"), 0;
    return 1;
}

/* ------------------------------------------------------------ checking */

/* Children of a node come after it, so a walk from the root always ends at
 * a leaf; every index in range. */
static int check_trees(reader *r)
{
    if (r->c.stage_count == 0)
        return fail(r, "no stages"), 0;
    r->c.max_nodes_per_tree = 0;
    for (int t = 0; t < r->c.tree_count; t++) {
        const ft_cascade_tree *tree = &r->c.trees[t];
        if (tree->node_count > r->c.max_nodes_per_tree)
            r->c.max_nodes_per_tree = tree->node_count;
        for (int k = 0; k < tree->node_count; k++) {
            const ft_cascade_node *n = &r->c.nodes[tree->first_node + k];
            if (n->feature < 0 || n->feature >= r->c.feature_count)
                return fail(r, "node uses feature %d of %d", n->feature, r->c.feature_count), 0;
            const int sides[2] = {n->left, n->right};
            for (int s = 0; s < 2; s++) {
                if (sides[s] > 0 ? (sides[s] <= k || sides[s] >= tree->node_count)
                                 : -sides[s] > tree->node_count)
                    return fail(r, "tree %d: node %d points to %d, outside its tree", t, k,
                                sides[s]),
                           0;
            }
        }
    }
    return 1;
}

/* ---------------------------------------------------------------- entry */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

static ft_status parse(const char *xml, size_t size, const char *path, const char *name,
                       ft_cascade *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (err && err_size)
        err[0] = '\0';
    pthread_once(&xml_once, xml_init);
    reader r = {.name = name, .err = err, .err_size = err_size};
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        fail(&r, "out of memory");
        return FT_ERR_NOMEM;
    }
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    xmlDocPtr doc = path ? xmlCtxtReadFile(ctxt, path, NULL, options)
                         : (size > INT_MAX ? NULL
                                           : xmlCtxtReadMemory(ctxt, xml, (int)size, name, NULL,
                                                               options));
    if (!doc || !ctxt->wellFormed) {
        const xmlError *e = &ctxt->lastError;
        char msg[256];
        snprintf(msg, sizeof msg, "%s", e->message ? e->message : "unreadable");
        size_t len = strlen(msg);
        while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
            msg[--len] = '\0';
        if (e->code == XML_IO_LOAD_ERROR || (!e->message && path))
            fail(&r, "cannot be read as XML");
        else
            fail(&r, "not a cascade XML file: %s (line %d)", msg, e->line);
        if (doc)
            xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return FT_ERR_FORMAT;
    }
    /* OpenCV reads the first node inside <opencv_storage>. */
    xmlNode *top = xmlDocGetRootElement(doc);
    xmlNode *root = named(top, "opencv_storage") ? first_element(top) : NULL;
    int ok;
    if (!root)
        ok = fail(&r, "not an OpenCV cascade (no element inside <opencv_storage>)") == FT_OK;
    else if (child(root, "stageType"))
        ok = read_new_format(&r, root);
    else if (child(root, "size") && child(root, "stages"))
        ok = read_old_format(&r, root);
    else
        ok = fail(&r, "<%s> is not a cascade classifier", (const char *)root->name) == FT_OK;
    ok = ok && check_trees(&r);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    if (!ok) {
        ft_cascade_free(&r.c);
        return FT_ERR_FORMAT;
    }
    *out = r.c;
    return FT_OK;
}

ft_status ft_cascade_load(const char *path, ft_cascade *c, char *err, size_t err_size)
{
    if (!path || !c)
        return FT_ERR_INVALID_ARG;
    FILE *f = fopen(path, "rb");
    if (!f) {
        memset(c, 0, sizeof *c);
        if (err && err_size)
            snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return FT_ERR_NOT_FOUND;
    }
    fclose(f);
    return parse(NULL, 0, path, path, c, err, err_size);
}

ft_status ft_cascade_parse(const char *xml, size_t size, const char *name, ft_cascade *c,
                           char *err, size_t err_size)
{
    if (!xml || !c)
        return FT_ERR_INVALID_ARG;
    return parse(xml, size, NULL, name ? name : "cascade", c, err, err_size);
}

void ft_cascade_free(ft_cascade *c)
{
    if (!c)
        return;
    free(c->stages);
    free(c->trees);
    free(c->nodes);
    free(c->leaves);
    free(c->subsets);
    free(c->haar);
    free(c->lbp);
    memset(c, 0, sizeof *c);
}

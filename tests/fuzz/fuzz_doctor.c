/* SPDX-License-Identifier: ISC */
/* fuzz_doctor: the libvirt XML that vinit-doctor reads to learn which
 * bridges guests need (doctor_xml_bridges), then the findings about a
 * world made of those bridges and of facts taken from the input's first
 * bytes (doctor_judge), printed as a table and as JSON. The names found
 * come from the XML; the findings' texts fit their fields; the JSON is
 * well formed, whatever bytes the names hold. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "fuzz.h"

struct found {
    char const *xml;
    struct doctor_world *w;
};

static void found(char const *name, void *arg)
{
    struct found *f = arg;
    size_t len = strlen(name);
    fuzz_assert(len < 64 && strstr(f->xml, name));
    if (f->w->nbridges < DOCTOR_BRIDGES_MAX && len <= NETSPEC_NAME_MAX) {
        struct doctor_bridge *b = &f->w->bridges[f->w->nbridges++];
        memcpy(b->name, name, len + 1);
        snprintf(b->from, sizeof b->from, "network %s", name);
    }
}

struct bytes {
    uint8_t const *d;
    size_t n, i;
};

static unsigned int next(struct bytes *b)
{
    return b->n ? b->d[b->i++ % b->n] : 0;
}

static int tri(struct bytes *b)
{
    return (int) (next(b) % 3) - 1;
}

/* The facts: one byte each, cycling through the input. */
static void facts(struct doctor_world *w, uint8_t const *d, size_t n)
{
    struct bytes b = {d, n, 0};
    w->wants = next(&b) & DOCTOR_ALL;
    w->uid = next(&b) & 1 ? 1000 : 0;
    w->userns = next(&b) & 1;
    w->caps_known = next(&b) & 1;
    w->caps = (uint64_t) next(&b) << 8;
    w->caps |= next(&b);
    w->kvm = tri(&b);
    w->kvm_gid = next(&b);
    w->kvm_mode = (mode_t) next(&b) << 1 & 0777;
    w->image_kvm_group = next(&b) & 1;
    w->image_kvm_gid = next(&b);
    w->tun = tri(&b);
    w->vhost_net = tri(&b);
    w->cgroup = (enum doctor_cgroup)(next(&b) % 4);
    w->cgroup_writable = tri(&b);
    w->proc_sys_ro = next(&b) & 1;
    w->netlink = next(&b) & 1;
    w->has_ipv4 = next(&b) & 1;
    w->hugepages = tri(&b);
    w->hugetlbfs = next(&b) & 1;
    w->run_udev = tri(&b);
    w->sys_bus_usb = next(&b) & 1;
    for (unsigned int k = 0; k < w->nbridges; k++) {
        unsigned int x = next(&b);
        w->bridges[k].link = (struct net_link){x & 1, x >> 1 & 1, x >> 2 & 1, x * 60};
    }
}

/* Strings in the JSON: quoted, escaped, no raw control byte. */
static void json_ok(char const *s, size_t len)
{
    int in = 0;
    fuzz_assert(len && s[0] == '{');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s[i];
        if (!in) {
            in = c == '"';
            fuzz_assert(c == '\n' ? i == len - 1 : c >= 0x20);
            continue;
        }
        fuzz_assert(c >= 0x20);
        if (c == '"')
            in = 0;
        else if (c == '\\') {
            fuzz_assert(i + 1 < len && strchr("\"\\/bfnrtu", s[i + 1]) && s[i + 1]);
            i++;
        }
    }
    fuzz_assert(!in);
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
    static struct doctor_world w;
    static struct doctor_report r;
    char *xml = fuzz_str(data, size);
    memset(&w, 0, sizeof w);
    struct found f = {xml, &w};
    doctor_xml_bridges(xml, found, &f);
    facts(&w, data, size);
    doctor_judge(&w, &r);
    fuzz_assert(r.n <= DOCTOR_FINDINGS_MAX);
    for (unsigned int i = 0; i < r.n; i++) {
        fuzz_assert(r.f[i].check && r.f[i].status <= DOCTOR_ERROR);
        fuzz_assert(memchr(r.f[i].what, 0, sizeof r.f[i].what) &&
                    memchr(r.f[i].fix, 0, sizeof r.f[i].fix));
    }
    fuzz_assert(doctor_worst(&r) <= DOCTOR_ERROR);
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    fuzz_assert(mem);
    doctor_print_json(mem, &r);
    fclose(mem);
    json_ok(out, len);
    free(out);
    mem = open_memstream(&out, &len);
    doctor_print_table(mem, &r);
    fclose(mem);
    free(out);
    free(xml);
    return 0;
}

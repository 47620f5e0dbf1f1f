/* audit_view: selection and printing of audit records. */
#include "audit_view.h"
#include "keys.h"
#include "dxtime.h"
#include "encode.h"
#include "names.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

int dx_audit_format_parse(const char *text)
{
    if (strcmp(text, "table") == 0) return DX_AUDIT_TABLE;
    if (strcmp(text, "json") == 0) return DX_AUDIT_JSON;
    if (strcmp(text, "csv") == 0) return DX_AUDIT_CSV;
    return -1;
}

/* Table cells: one line of printable UTF-8 (utf8.h escapes). */
static const char *s_cell(const char *s, char *buf, size_t cap)
{
    dx_utf8_printable(s, NULL, buf, cap);
    return buf;
}

static void s_csv_field(FILE *out, const char *raw, bool last)
{
    char buf[4096];
    /* a quoted CSV field may hold line ends; nothing else is let through */
    dx_utf8_printable(raw, "\r\n\t", buf, sizeof buf);
    const char *s = buf;
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
    fputc(last ? '\n' : ',', out);
}

static void s_hex(const ProtobufCBinaryData *b, char out[65])
{
    if (b->len == 32)
        dx_hex_encode(b->data, 32, out);
    else
        out[0] = '\0';
}

void dx_audit_print_header(FILE *out, int format)
{
    if (format == DX_AUDIT_CSV)
        fputs("seq,time,event,member,action,dataset,version,sha256,purpose,decision,rule,reason,"
              "policy_sha256\n", out);
    else if (format == DX_AUDIT_TABLE)
        fprintf(out, "%-6s %-24s %-12s %-13s %-8s %-32s %-12s %-6s %-24s %s\n", "SEQ", "TIME",
                "EVENT", "MEMBER", "ACTION", "DATASET", "PURPOSE", "RESULT", "RULE", "REASON");
}

void dx_audit_print(FILE *out, int format, const Dx__AuditRecord *r, const dx_audit_proof_t *proof)
{
    char time[DX_TIME_TEXT], sha[65], policy[65], msha[65], vsha[65], version[24];
    dx_time_format(r->time_ms, time);
    s_hex(&r->sha256, sha);
    s_hex(&r->policy_sha256, policy);
    s_hex(&r->manifest_sha256, msha);
    s_hex(&r->view_sha256, vsha);
    snprintf(version, sizeof version, "%llu", (unsigned long long)r->version);
    if (format == DX_AUDIT_JSON) {
        fprintf(out, "{\"seq\":%llu,\"time\":\"%s\",\"event\":", (unsigned long long)r->seq, time);
        dx_json_string(out, r->event);
        fputs(",\"member\":", out);
        dx_json_string(out, r->member);
        fputs(",\"action\":", out);
        dx_json_string(out, r->action);
        fputs(",\"dataset\":", out);
        dx_json_string(out, r->dataset);
        fprintf(out, ",\"version\":%s,\"sha256\":\"%s\",\"purpose\":", version, sha);
        dx_json_string(out, r->purpose);
        fputs(",\"decision\":", out);
        dx_json_string(out, r->decision);
        fputs(",\"rule\":", out);
        dx_json_string(out, r->rule_id);
        fputs(",\"reason\":", out);
        dx_json_string(out, r->reason);
        fprintf(out, ",\"policy_sha256\":\"%s\",\"manifest_sha256\":\"%s\",\"view_sha256\":\"%s\"",
                policy, msha, vsha);
        /* which of the member's keys signed (two during a rotation) */
        char signer[DX_SIGN_TEXT] = "";
        if (r->signer_key.len == DX_ED25519_LEN)
            dx_sign_key_format(r->signer_key.data, signer);
        fprintf(out, ",\"signer_key\":\"%s\"", signer);
        if (proof) {
            fprintf(out, ",\"tree_size\":%llu,\"proof\":[", (unsigned long long)proof->tree_size);
            for (size_t i = 0; i < proof->n; i++) {
                char hex[65];
                dx_hex_encode(proof->hashes[i], DX_HASH_LEN, hex);
                fprintf(out, "%s\"%s\"", i ? "," : "", hex);
            }
            fputc(']', out);
            char *b64 = malloc((proof->leaf_len + 2) / 3 * 4 + 1);
            if (b64 && proof->leaf) {
                dx_base64_encode(proof->leaf, proof->leaf_len, b64);
                fprintf(out, ",\"leaf\":\"%s\"", b64);
            }
            free(b64);
            if (proof->head) {
                fputs(",\"head\":", out);
                dx_json_string(out, proof->head);
            }
        }
        fputs("}\n", out);
    } else if (format == DX_AUDIT_CSV) {
        char seq[24];
        snprintf(seq, sizeof seq, "%llu", (unsigned long long)r->seq);
        const char *cols[] = { seq, time, r->event, r->member, r->action, r->dataset, version,
                               sha, r->purpose, r->decision, r->rule_id, r->reason, policy };
        size_t n = sizeof cols / sizeof cols[0];
        for (size_t i = 0; i < n; i++)
            s_csv_field(out, cols[i], i + 1 == n);
    } else {
        char dataset[300], cells[7][1024], reason[4096];
        if (r->version)
            snprintf(dataset, sizeof dataset, "%s@%s", r->dataset, version);
        else
            snprintf(dataset, sizeof dataset, "%s", r->dataset[0] ? r->dataset : "-");
        fprintf(out, "%-6llu %-24s %-12s %-13s %-8s %-32s %-12s %-6s %-24s %s\n",
                (unsigned long long)r->seq, time, s_cell(r->event, cells[0], sizeof cells[0]),
                r->member[0] ? s_cell(r->member, cells[1], sizeof cells[1]) : "-",
                r->action[0] ? s_cell(r->action, cells[2], sizeof cells[2]) : "-",
                s_cell(dataset, cells[3], sizeof cells[3]),
                r->purpose[0] ? s_cell(r->purpose, cells[4], sizeof cells[4]) : "-",
                s_cell(r->decision, cells[5], sizeof cells[5]),
                r->rule_id[0] ? s_cell(r->rule_id, cells[6], sizeof cells[6]) : "-",
                s_cell(r->reason, reason, sizeof reason));
    }
}

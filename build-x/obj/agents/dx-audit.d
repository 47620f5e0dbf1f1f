build-x/obj/agents/dx-audit.o: agents/dx-audit.c agents/audit_cmds.h \
 agents/audit_source.h lib/tlog/checkpoint.h lib/crypto/crypto.h \
 lib/core/err.h lib/tlog/merkle.h lib/client/cli.h lib/client/client.h \
 build-x/gen/dx.pb-c.h lib/crypto/keys.h lib/crypto/crypto.h \
 lib/core/names.h lib/tlog/merkle.h lib/store/store.h agents/audit_view.h \
 lib/tlog/audit_log.h lib/core/dxtime.h lib/core/version.h
agents/audit_cmds.h:
agents/audit_source.h:
lib/tlog/checkpoint.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/tlog/merkle.h:
lib/client/cli.h:
lib/client/client.h:
build-x/gen/dx.pb-c.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/tlog/merkle.h:
lib/store/store.h:
agents/audit_view.h:
lib/tlog/audit_log.h:
lib/core/dxtime.h:
lib/core/version.h:

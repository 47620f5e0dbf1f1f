build-x/obj/agents/audit_cmds.o: agents/audit_cmds.c \
 lib/tlog/audit_chain.h lib/tlog/checkpoint.h lib/crypto/crypto.h \
 lib/core/err.h lib/tlog/merkle.h agents/audit_cmds.h \
 agents/audit_source.h lib/tlog/checkpoint.h lib/client/cli.h \
 lib/client/client.h build-x/gen/dx.pb-c.h lib/crypto/keys.h \
 lib/crypto/crypto.h lib/core/names.h lib/tlog/merkle.h lib/store/store.h \
 lib/policy/policy.h lib/core/glob.h lib/core/names.h agents/audit_view.h \
 lib/tlog/audit_log.h lib/core/dxtime.h lib/core/encode.h \
 lib/core/fileio.h lib/wire/wire.h
lib/tlog/audit_chain.h:
lib/tlog/checkpoint.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/tlog/merkle.h:
agents/audit_cmds.h:
agents/audit_source.h:
lib/tlog/checkpoint.h:
lib/client/cli.h:
lib/client/client.h:
build-x/gen/dx.pb-c.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/tlog/merkle.h:
lib/store/store.h:
lib/policy/policy.h:
lib/core/glob.h:
lib/core/names.h:
agents/audit_view.h:
lib/tlog/audit_log.h:
lib/core/dxtime.h:
lib/core/encode.h:
lib/core/fileio.h:
lib/wire/wire.h:

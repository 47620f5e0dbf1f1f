build-x/obj/agents/dx-agent.o: agents/dx-agent.c agents/agent.h \
 agents/agent_config.h lib/client/cli.h lib/client/client.h \
 build-x/gen/dx.pb-c.h lib/core/err.h lib/crypto/keys.h \
 lib/crypto/crypto.h lib/core/names.h lib/wire/wire.h lib/client/client.h \
 lib/client/delivery.h lib/crypto/crypto.h lib/core/dxtime.h \
 lib/core/encode.h lib/core/media.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/client/progress.h lib/client/transfer.h \
 lib/core/version.h lib/client/witness.h
agents/agent.h:
agents/agent_config.h:
lib/client/cli.h:
lib/client/client.h:
build-x/gen/dx.pb-c.h:
lib/core/err.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/wire/wire.h:
lib/client/client.h:
lib/client/delivery.h:
lib/crypto/crypto.h:
lib/core/dxtime.h:
lib/core/encode.h:
lib/core/media.h:
lib/policy/policy.h:
lib/core/glob.h:
lib/core/names.h:
lib/client/progress.h:
lib/client/transfer.h:
lib/core/version.h:
lib/client/witness.h:

build-x/obj/agents/agent_run.o: agents/agent_run.c agents/agent.h \
 agents/agent_config.h lib/client/cli.h lib/client/client.h \
 build-x/gen/dx.pb-c.h lib/core/err.h lib/crypto/keys.h \
 lib/crypto/crypto.h lib/core/names.h lib/wire/wire.h lib/client/client.h \
 lib/core/dxtime.h lib/core/fileio.h lib/core/log.h lib/core/signals.h \
 lib/client/witness.h
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
lib/core/dxtime.h:
lib/core/fileio.h:
lib/core/log.h:
lib/core/signals.h:
lib/client/witness.h:

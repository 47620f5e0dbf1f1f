build-x/obj/broker/stages/handshakes.o: broker/stages/handshakes.c \
 broker/stages/handshakes.h lib/core/names.h lib/core/dxtime.h \
 lib/core/encode.h lib/core/err.h
broker/stages/handshakes.h:
lib/core/names.h:
lib/core/dxtime.h:
lib/core/encode.h:
lib/core/err.h:

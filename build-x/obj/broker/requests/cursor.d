build-x/obj/broker/requests/cursor.o: broker/requests/cursor.c \
 broker/requests/cursor.h lib/crypto/crypto.h lib/core/err.h
broker/requests/cursor.h:
lib/crypto/crypto.h:
lib/core/err.h:

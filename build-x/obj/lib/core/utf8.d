build-x/obj/lib/core/utf8.o: lib/core/utf8.c lib/core/utf8.h
lib/core/utf8.h:

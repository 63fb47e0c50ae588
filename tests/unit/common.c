/* SPDX-License-Identifier: ISC */
/* Linked into every unit test: what main.c would otherwise provide. */
char const *PROG = "vinit";

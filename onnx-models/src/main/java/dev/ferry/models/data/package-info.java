/**
 * JSONL input read strictly, line by line, each line a record or a bad line naming {@code
 * file:line}; shared by every module that reads texts.
 */
package dev.ferry.models.data;

package dev.caravan.web;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import org.springframework.web.servlet.NoHandlerFoundException;

import java.time.Duration;
import java.time.temporal.Temporal;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Every error Spring MVC serves (admin API, file API, shares, OAuth start) as RFC 9457 problem details
 * ({@code application/problem+json}): {@code type} (stable, see {@link ApiProblem}), {@code title}, {@code status},
 * {@code detail}, {@code instance} (the request path). Spring's own errors (bad JSON, missing parameter, wrong method
 * or media type, unknown path) are rewritten so that no class name or framework wording reaches the client; anything
 * unexpected is a 500 whose detail gives only a correlation id, which the log carries with the stack trace.
 */
@RestControllerAdvice
public class ApiProblemAdvice extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ApiProblemAdvice.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e, HttpServletRequest request, HttpServletResponse response)
            throws ApiException {
        if (response.isCommitted()) {
            throw e; // too late for an answer: the connection is cut, which the client notices
        }
        return answer(Problems.of(e.problem(), e.getMessage(), request), e.headers());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request, HttpServletResponse response)
            throws Exception {
        if (response.isCommitted()) {
            throw e;
        }
        String id = UUID.randomUUID().toString();
        log.error("HTTP {} {} failed [correlation id {}]", request.getMethod(), request.getRequestURI(), id, e);
        ProblemDetail body = Problems.of(ApiProblem.INTERNAL_ERROR, "Caravan could not complete the request; the "
                + "server log has the cause under correlation id " + id + ".", request);
        body.setProperty("correlationId", id);
        return answer(body, HttpHeaders.EMPTY);
    }

    /** Spring's own exceptions: same shape, our wording. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        HttpServletRequest servlet = request instanceof NativeWebRequest n ? n.getNativeRequest(HttpServletRequest.class) : null;
        HttpServletResponse response = request instanceof NativeWebRequest n ? n.getNativeResponse(HttpServletResponse.class) : null;
        if (response != null && response.isCommitted()) {
            return null;
        }
        ApiProblem problem = ApiProblem.forStatus(statusCode.value());
        ProblemDetail detail = Problems.of(problem, detail(ex, problem), servlet);
        if (problem == ApiProblem.INTERNAL_ERROR) {
            String id = UUID.randomUUID().toString();
            log.error("HTTP request failed [correlation id {}]", id, ex);
            detail.setDetail("Caravan could not complete the request; the server log has the cause under "
                    + "correlation id " + id + ".");
            detail.setProperty("correlationId", id);
        }
        detail.setStatus(statusCode.value());
        return new ResponseEntity<>(detail, answerHeaders(headers), statusCode);
    }

    private static String detail(Exception ex, ApiProblem problem) {
        if (ex instanceof HttpMessageNotReadableException unreadable) {
            return unreadable(unreadable);
        }
        if (ex instanceof MissingServletRequestParameterException missing) {
            return "Give the query parameter '" + missing.getParameterName() + "'.";
        }
        if (ex instanceof TypeMismatchException mismatch) {
            String name = mismatch.getPropertyName();
            return "'" + mismatch.getValue() + "' is not a valid " + (name == null ? "value" : "value for '" + name + "'")
                    + (mismatch.getRequiredType() == null ? "" : "; expected " + expected(mismatch.getRequiredType())) + ".";
        }
        if (ex instanceof HttpRequestMethodNotSupportedException method) {
            String[] allowed = method.getSupportedMethods();
            return method.getMethod() + " is not allowed here" + (allowed == null || allowed.length == 0 ? "."
                    : "; use " + String.join(", ", allowed) + ".");
        }
        if (ex instanceof HttpMediaTypeNotSupportedException media) {
            return (media.getContentType() == null ? "The request has no Content-Type" : "Content-Type '"
                    + media.getContentType() + "' is not accepted here") + "; send JSON with 'Content-Type: application/json'.";
        }
        if (ex instanceof NoResourceFoundException || ex instanceof NoHandlerFoundException) {
            return "There is nothing at this path; check the method and path against the README.";
        }
        return problem.title() + ".";
    }

    /** Where and why the JSON body could not be read, in the caller's terms (field paths, JSON types). */
    private static String unreadable(HttpMessageNotReadableException e) {
        Throwable cause = e.getCause();
        if (cause == null || e.getMessage() != null && e.getMessage().startsWith("Required request body")) {
            return "The request needs a JSON body.";
        }
        if (cause instanceof JsonParseException parse) {
            return "The body is not valid JSON (line " + parse.getLocation().getLineNr() + ", column "
                    + parse.getLocation().getColumnNr() + "): " + firstLine(parse.getOriginalMessage());
        }
        if (cause instanceof UnrecognizedPropertyException unknown) {
            Collection<Object> known = unknown.getKnownPropertyIds();
            return "Unknown field '" + field(unknown) + "'" + (known == null || known.isEmpty() ? "." : " (known: "
                    + known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ").");
        }
        if (cause instanceof InvalidFormatException format) {
            return "'" + format.getValue() + "' is not a valid value for '" + field(format) + "'; expected "
                    + expected(format.getTargetType()) + ".";
        }
        if (cause instanceof MismatchedInputException mismatched) {
            if (mismatched.getPath().isEmpty()) {
                return "The body must be " + expected(mismatched.getTargetType()) + ".";
            }
            return "Field '" + field(mismatched) + "' must be " + expected(mismatched.getTargetType()) + ".";
        }
        if (cause instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return "Field '" + field(mapping) + "' has a value that cannot be used.";
        }
        return "The body could not be read as JSON.";
    }

    private static String field(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.isEmpty() ? "(body)" : out.toString();
    }

    /** A Java type as the JSON a caller would send for it. */
    static String expected(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(String::valueOf)
                    .collect(Collectors.joining(", "));
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type == String.class || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return type == double.class || type == float.class || type == Double.class || type == Float.class
                    ? "a number" : "an integer";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "an ISO-8601 time such as 2026-01-31T12:00:00Z";
        }
        if (Duration.class == type) {
            return "a duration";
        }
        if (Map.class.isAssignableFrom(type) || !type.getName().startsWith("java.")) {
            return "an object";
        }
        return "another type";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unexpected input";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static ResponseEntity<ProblemDetail> answer(ProblemDetail body, HttpHeaders extra) {
        return ResponseEntity.status(body.getStatus()).headers(answerHeaders(extra))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
    }

    private static HttpHeaders answerHeaders(HttpHeaders extra) {
        HttpHeaders headers = new HttpHeaders();
        if (extra != null) {
            headers.putAll(extra);
        }
        headers.setCacheControl(CacheControl.noStore());
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return headers;
    }
}
